using System.Globalization;
using System.Text;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Http;

namespace CalfPainTracker.Export;

/// <summary>
/// The check-ins of an episode as RFC 4180 CSV, one row per logged day (its latest version),
/// every field of the check-in under its API name, ISO dates, invariant numbers.
/// </summary>
public static class CheckInCsv
{
    public const string MediaType = "text/csv";

    public static readonly IReadOnlyList<string> Header =
    [
        "day", "checkInId", "painLevel", "painAtRest", "painAtNight", "swelling", "swellingAtAnkle",
        "calfCircumferenceAffectedCm", "calfCircumferenceOtherCm", "restHours", "iceMinutes", "heatMinutes",
        "stretchingMinutes", "nsaidTaken", "canWalkComfortably", "symptoms", "notes", "loggedAt",
    ];

    /// <summary>
    /// UTF-8 with a byte-order mark: without it Excel reads the file as the machine's legacy
    /// code page and garbles any accented note.
    /// </summary>
    public static byte[] Write(IEnumerable<CheckIn> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var csv = new StringBuilder();
        AppendRow(csv, Header);
        foreach (var day in days.OrderBy(d => d.Day)) AppendRow(csv, Row(day));
        return [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>
    /// A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab or carriage
    /// return, as OWASP lists) gets a leading apostrophe, so a note like
    /// <c>=HYPERLINK("http://evil","click")</c> shows as text. Only free text can start so:
    /// every number written here is zero or more.
    /// </summary>
    public static string Neutralise(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    private static IEnumerable<string> Row(CheckIn day) =>
    [
        Date(day.Day),
        day.CheckInId.ToString(),
        Number(day.PainLevel),
        YesNo(day.PainAtRest),
        YesNo(day.PainAtNight),
        WireNames.Of(day.Swelling),
        YesNo(day.SwellingAtAnkle),
        day.CalfCircumferenceCm is { } tape ? Number(tape.Affected) : "",
        day.CalfCircumferenceCm is { } other ? Number(other.Other) : "",
        Number(day.RestHours),
        Number(day.IceMinutes),
        Number(day.HeatMinutes),
        Number(day.StretchingMinutes),
        YesNo(day.NsaidTaken),
        YesNo(day.CanWalkComfortably),
        string.Join(';', day.Symptoms.Select(WireNames.Of)),
        Neutralise(day.Notes ?? ""),
        day.LoggedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    ];

    private static void AppendRow(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Quoted));
        csv.Append("\r\n");
    }

    private static string Quoted(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? "true" : "false";
}
