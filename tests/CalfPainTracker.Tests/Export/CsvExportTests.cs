using System.Globalization;
using System.Net;
using System.Text;
using CalfPainTracker.Export;
using CalfPainTracker.Tests.Infrastructure;
using CsvHelper;

namespace CalfPainTracker.Tests.Export;

[Collection(nameof(ExportCollection))]
public sealed class CsvExportTests(ExportedEpisode exported)
{
    [Fact]
    public async Task Every_check_in_field_round_trips_through_a_csv_parser_and_a_formula_in_notes_is_neutralised()
    {
        var response = await exported.Patient.Get($"/api/episodes/{exported.Episode}/export/csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);

        var rows = Parse(bytes);
        var listed = (await exported.Patient.GetJson($"/api/episodes/{exported.Episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal(CheckInCsv.Header, rows[0]);
        Assert.Equal(listed.Count, rows.Count - 1);
        var header = rows[0].Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        foreach (var (row, day) in rows.Skip(1).Zip(listed))
        {
            string Cell(string name) => row[header[name]];
            Assert.Equal(day!["day"]!.GetValue<string>(), Cell("day"));
            Assert.Equal(day["checkInId"]!.GetValue<Guid>(), Guid.Parse(Cell("checkInId")));
            Assert.Equal(day["painLevel"]!.GetValue<int>(), int.Parse(Cell("painLevel"), CultureInfo.InvariantCulture));
            Assert.Equal(day["painAtRest"]!.GetValue<bool>(), bool.Parse(Cell("painAtRest")));
            Assert.Equal(day["painAtNight"]!.GetValue<bool>(), bool.Parse(Cell("painAtNight")));
            Assert.Equal(day["swelling"]!.GetValue<string>(), Cell("swelling"));
            Assert.Equal(day["swellingAtAnkle"]!.GetValue<bool>(), bool.Parse(Cell("swellingAtAnkle")));
            Assert.Equal(day["calfCircumferenceCm"]?["affected"]?.GetValue<decimal>(), Decimal(Cell("calfCircumferenceAffectedCm")));
            Assert.Equal(day["calfCircumferenceCm"]?["other"]?.GetValue<decimal>(), Decimal(Cell("calfCircumferenceOtherCm")));
            Assert.Equal(day["restHours"]!.GetValue<decimal>(), Decimal(Cell("restHours")));
            Assert.Equal(day["iceMinutes"]!.GetValue<int>(), int.Parse(Cell("iceMinutes"), CultureInfo.InvariantCulture));
            Assert.Equal(day["heatMinutes"]!.GetValue<int>(), int.Parse(Cell("heatMinutes"), CultureInfo.InvariantCulture));
            Assert.Equal(day["stretchingMinutes"]!.GetValue<int>(), int.Parse(Cell("stretchingMinutes"), CultureInfo.InvariantCulture));
            Assert.Equal(day["nsaidTaken"]!.GetValue<bool>(), bool.Parse(Cell("nsaidTaken")));
            Assert.Equal(day["canWalkComfortably"]!.GetValue<bool>(), bool.Parse(Cell("canWalkComfortably")));
            Assert.Equal(day["symptoms"]!.AsArray().Select(s => s!.GetValue<string>()), Cell("symptoms").Split(';', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(day["loggedAt"]!.GetValue<DateTimeOffset>(), DateTimeOffset.Parse(Cell("loggedAt"), CultureInfo.InvariantCulture));
            var notes = day["notes"]?.GetValue<string>() ?? "";
            Assert.Equal(notes == ExportedEpisode.FormulaNote ? "'" + notes : notes, Cell("notes"));
        }

        var last = rows.Single(r => r[header["day"]] == ExportedEpisode.LastDay);
        Assert.Equal("'" + ExportedEpisode.FormulaNote, last[header["notes"]]);
        Assert.Equal("redness", last[header["symptoms"]]);
        Assert.Contains(rows, r => r[header["notes"]] == ExportedEpisode.AwkwardNote);
    }

    [Fact]
    public async Task A_clinician_gets_the_same_file_and_someone_who_may_not_see_the_episode_gets_404()
    {
        var patients = await (await exported.Patient.Get($"/api/episodes/{exported.Episode}/export/csv")).Content.ReadAsByteArrayAsync();
        var physios = await (await exported.Physio.Get($"/api/episodes/{exported.Episode}/export/csv")).Content.ReadAsByteArrayAsync();

        Assert.Equal(patients, physios);
        await (await exported.Clinic.Patient().Get($"/api/episodes/{exported.Episode}/export/csv")).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("+44 7700 900123")]
    [InlineData("-2 since yesterday")]
    [InlineData("@SUM(A1:A9)")]
    [InlineData("\t=cmd")]
    [InlineData("\r=cmd")]
    public void A_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(string note) =>
        Assert.Equal("'" + note, CheckInCsv.Neutralise(note));

    [Theory]
    [InlineData("")]
    [InlineData("Felt better after ice = less pain")]
    [InlineData("'already quoted")]
    public void Ordinary_notes_are_left_as_written(string note) => Assert.Equal(note, CheckInCsv.Neutralise(note));

    /// <summary>Strict RFC 4180: malformed quoting or a ragged row fails the test rather than being repaired.</summary>
    private static List<string[]> Parse(byte[] bytes)
    {
        using var csv = CsvReader.Create(bytes, CsvReaderOptions.Default with
        {
            Separator = ',',
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
        });
        List<string[]> rows = [[.. csv.Headers]];
        while (csv.Read()) rows.Add([.. Enumerable.Range(0, csv.FieldCount).Select(csv.GetString)]);
        return rows;
    }

    private static decimal? Decimal(string cell) => cell.Length == 0 ? null : decimal.Parse(cell, CultureInfo.InvariantCulture);
}
