using System.Globalization;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace CalfPainTracker.Export;

/// <summary>Who a report is made for and what it covers.</summary>
/// <param name="MadeBy">The role of whoever asked for it (or made the share link): only a clinician's report shows the Wells score.</param>
/// <param name="Link">Set when the report is opened through a share link.</param>
public sealed record ReportScope(DateOnly? From, DateOnly? To, Role MadeBy, DateTimeOffset GeneratedAt, SharedLinkNote? Link = null);

public sealed record SharedLinkNote(Role CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// One A4 page a physician reads in a minute: who and what, the pain chart, where the patient
/// is now and which way they are going, red flags and alerts, adherence, what seems to help,
/// and function (LEFS). The service holds no names: the patient appears as their id.
/// </summary>
public static class DoctorReport
{
    public const string MediaType = "application/pdf";

    private const double Margin = 36;
    private const double ChartHeight = 190;
    private const int MostAlertsShown = 6;

    private static readonly XColor Ink = XColor.FromArgb(33, 37, 41);
    private static readonly XColor Muted = XColor.FromArgb(108, 117, 125);
    private static readonly XColor Emergency = XColor.FromArgb(176, 0, 32);
    private static readonly XColor Urgent = XColor.FromArgb(214, 80, 0);
    private static readonly XColor Advice = XColor.FromArgb(153, 110, 0);

    /// <param name="history">The episode's days, plan and LEFS scores as of now (<see cref="EpisodeHistory.Of"/>).</param>
    public static byte[] Render(Episode episode, EpisodeHistory history, ReportScope scope)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(scope);
        ReportFonts.EnsureInstalled();

        var trend = history.Compute();
        var shown = trend.Within(scope.From, scope.To);
        var first = scope.From ?? (trend.Days.Count > 0 ? trend.Days[0].Day : episode.OnsetDate);
        var last = scope.To ?? (trend.Days.Count > 0 ? trend.Days[^1].Day : episode.LocalDay(scope.GeneratedAt));

        using var document = new PdfDocument();
        document.Info.Title = $"Calf pain recovery report, patient {episode.PatientId}";
        document.Info.Author = "CalfPainTracker";
        document.Info.Subject = $"Episode {episode.Id}, {Date(first)} to {Date(last)}";
        var pdfPage = document.AddPage();
        pdfPage.Size = PageSize.A4;
        using (var graphics = XGraphics.FromPdfPage(pdfPage))
        {
            var page = new Page(graphics, pdfPage.Width.Point, pdfPage.Height.Point);
            Header(page, episode, scope, first, last, shown);
            CurrentStatus(page, episode, trend);
            Chart(page, shown, first, last);

            var columnsTop = page.Y;
            var half = (page.Width - 18) / 2;
            page.Column(page.Left, half);
            RedFlagsAndAlerts(page, episode, history.Days, first, last);
            if (scope.MadeBy is Role.Physio or Role.ClinicAdmin) Wells(page, episode);
            var leftBottom = page.Y;
            page.Y = columnsTop;
            page.Column(page.Left + half + 18, half);
            AdherenceAndResponse(page, trend);
            Function(page, trend);
            page.Y = Math.Max(leftBottom, page.Y);
            page.Column(Margin, page.PageWidth - 2 * Margin);

            Footer(page, scope);
        }

        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }

    private static void Header(Page page, Episode episode, ReportScope scope, DateOnly first, DateOnly last, RecoveryTrend shown)
    {
        page.Text($"Generated {scope.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", page.Small, Muted, alignRight: true, advance: false);
        page.Text("Calf pain recovery report", page.Title, Ink);
        page.Gap(2);
        page.Text($"Patient {episode.PatientId}", page.Bold, Ink);
        page.Text("CalfPainTracker keeps no names: the patient is shown by their id. Confirm who they are with them.", page.Small, Muted);
        page.Gap(4);

        var physio = episode.PhysiotherapistId is { } p ? $"physiotherapist {p}" : "no physiotherapist assigned";
        var status = episode.Status == EpisodeStatus.Open
            ? $"open since {Date(episode.OpenedAt.UtcDateTime)}"
            : $"closed {(episode.ClosedAt is { } c ? Date(c.UtcDateTime) : "")} ({Words(episode.CloseReason)})";
        page.Text(
            $"{Capitalised(Words(episode.Side))} calf · suspected cause: {Words(episode.SuspectedCause)} · onset {Date(episode.OnsetDate)} · {status} · {physio}",
            page.Regular, Ink);
        var calendarDays = last.DayNumber - first.DayNumber + 1;
        page.Text(
            $"Period shown: {Date(first)} to {Date(last)}: {shown.Days.Count} of {calendarDays} days logged.",
            page.Regular, Ink);
        page.Rule();
    }

    private static void CurrentStatus(Page page, Episode episode, RecoveryTrend trend)
    {
        page.Heading("Current status");
        if (episode.Latest is not { } latest)
        {
            page.Text("No check-in logged yet.", page.Regular, Ink);
            return;
        }

        page.Text(
            $"Latest pain {latest.PainLevel}/10 on {Date(latest.Day)} · at rest: {YesNo(latest.PainAtRest)} · at night: {YesNo(latest.PainAtNight)} · " +
            $"walks comfortably: {YesNo(latest.CanWalkComfortably)} · swelling: {Words(latest.Swelling)}" +
            (latest.CalfCircumferenceCm is { } tape ? $" · calf {Number(tape.Affected)} vs {Number(tape.Other)} cm ({Signed(tape.Difference)} cm)" : ""),
            page.Bold, Ink);

        if (trend.Direction is { } direction)
        {
            var change = trend.MeaningfulChange
                ? $"a meaningful change (at least {trend.MeaningfulChangeThreshold} points from this baseline)"
                : $"less than the {trend.MeaningfulChangeThreshold} points that would be meaningful from this baseline";
            page.Text(
                $"Direction: {Words(direction).ToUpperInvariant()}. Mean pain of the first 3 logged days {Number(trend.BaselinePain)}, of the last 3 {Number(trend.CurrentPain)}: {change}.",
                page.Regular, Ink);
        }
        else
        {
            page.Text($"Direction: not yet. {trend.Note}", page.Regular, Ink);
        }
        if (trend.SlopePerDay14 is { } slope)
        {
            page.Text($"Slope over the last 14 days: {Signed(slope)} points a day.", page.Regular, Ink);
        }
    }

    private static void Chart(Page page, RecoveryTrend shown, DateOnly first, DateOnly last)
    {
        page.Gap(4);
        if (shown.Days.Count == 0)
        {
            page.Text("No check-ins in this period, so no chart.", page.Regular, Muted);
            return;
        }

        var png = PainChart.Png(shown.Days, first, last, page.Width, ChartHeight);
        using var stream = new MemoryStream(png);
        using var image = XImage.FromStream(stream);
        page.Image(image, ChartHeight);
    }

    private static void RedFlagsAndAlerts(Page page, Episode episode, IReadOnlyList<CheckIn> logged, DateOnly first, DateOnly last)
    {
        page.Heading("Red flags and alerts");
        var open = episode.Alerts
            .Where(a => a.IsOpen)
            .OrderByDescending(a => a.Severity)
            .ThenByDescending(a => a.RaisedAt)
            .ToList();
        if (open.Count == 0) page.Text("No open alerts.", page.Regular, Ink);
        foreach (var alert in open.Take(MostAlertsShown))
        {
            var colour = alert.Severity switch { Severity.Emergency => Emergency, Severity.Urgent => Urgent, _ => Advice };
            page.Text($"{WireNames.Of(alert.Severity).ToUpperInvariant()}  {alert.Title}", page.Bold, colour);
            var handled = alert.Status == AlertStatus.Acknowledged ? "acknowledged" : "not yet acknowledged";
            var escalated = alert.EscalatedAt is null ? "" : ", passed to the clinic";
            page.Text(
                $"since {Date(episode.LocalDay(alert.RaisedAt))}, {Count(alert.Evidence.Count, "day")} of evidence, {handled}{escalated}",
                page.Small, Muted, indent: 10);
        }
        if (open.Count > MostAlertsShown) page.Text($"and {open.Count - MostAlertsShown} more open alerts.", page.Small, Ink);

        var resolved = episode.Alerts.Count(a => !a.IsOpen && Between(episode.LocalDay(a.RaisedAt), first, last));
        if (resolved > 0) page.Text($"{Count(resolved, "alert")} raised in this period and since resolved.", page.Small, Muted);

        var days = logged.Where(c => Between(c.Day, first, last)).ToList();
        var reported = new List<string>();
        foreach (var symptom in Enum.GetValues<Symptom>())
        {
            var withIt = days.Where(d => d.Has(symptom)).ToList();
            if (withIt.Count > 0) reported.Add($"{Words(symptom)} ({Count(withIt.Count, "day")}, last {Date(withIt[^1].Day)})");
        }
        AddCount(reported, "pain at night", days.Count(d => d.PainAtNight));
        AddCount(reported, "pain at rest", days.Count(d => d.PainAtRest));
        AddCount(reported, "not walking comfortably", days.Count(d => !d.CanWalkComfortably));
        page.Gap(2);
        page.Text(
            reported.Count == 0 ? "No warning symptoms reported in this period." : "Reported in this period: " + string.Join("; ", reported) + ".",
            page.Regular, Ink);
    }

    /// <summary>Shown only on a clinician's report: the patient is never told a clot is unlikely.</summary>
    private static void Wells(Page page, Episode episode)
    {
        if (episode.LatestWellsExam is not { } exam) return;
        page.Heading("Wells score (clinicians only)");
        page.Text(
            $"{exam.Score.Score} points: {(exam.Score.DvtLikely ? "DVT likely" : "DVT unlikely by score")}, examined {Date(episode.LocalDay(exam.At))} by clinician {exam.By}.",
            page.Bold, exam.Score.DvtLikely ? Urgent : Ink);
        page.Text(exam.Score.NextStep, page.Small, Ink);
    }

    private static void AdherenceAndResponse(Page page, RecoveryTrend trend)
    {
        page.Heading("Adherence to the plan");
        if (trend.Adherence?.PerTreatment is { } overall)
        {
            var parts = new[]
            {
                Percent("rest", overall.RestPercent),
                Percent("ice", overall.IcePercent),
                Percent("heat", overall.HeatPercent),
                Percent("stretching", overall.StretchingPercent),
            }.Where(p => p is not null);
            page.Text(string.Join(" · ", parts), page.Regular, Ink);
            page.Text("Percent of the physiotherapist's daily targets met, each day counted up to its target.", page.Small, Muted);
        }
        else
        {
            page.Text("No plan set by the physiotherapist, so nothing to measure against.", page.Regular, Ink);
        }

        page.Heading("Treatment response (association, not cause)");
        var enough = trend.TreatmentResponse.Where(r => r.EnoughData).ToList();
        if (enough.Count == 0) page.Text(RecoveryTrends.NotEnoughResponseData, page.Regular, Ink);
        foreach (var response in enough)
        {
            page.Text(
                $"{TreatmentName(response.Treatment)}: next-day pain {Signed(response.MeanNextDayPainChangeWith)} with, {Signed(response.MeanNextDayPainChangeWithout)} without ({response.DaysWith} vs {response.DaysWithout} days)",
                page.Regular, Ink);
        }
    }

    private static void Function(Page page, RecoveryTrend trend)
    {
        page.Heading("Function: LEFS (0-80, higher is better)");
        if (trend.Lefs is not { Scores.Count: > 0 } lefs)
        {
            page.Text("No Lower Extremity Functional Scale answered yet.", page.Regular, Ink);
            return;
        }
        var latest = lefs.Scores[^1];
        var change = lefs.ChangeFromFirst is { } c
            ? $", {Signed(c)} since the first ({lefs.Scores[0].Total}): " +
              (lefs.MeaningfulImprovement ? "a meaningful improvement" : $"below the {Lefs.MinimalClinicallyImportantDifference}-point minimal important change")
            : "";
        page.Text($"Latest {latest.Total} on {Date(latest.Day)}{change}.", page.Regular, Ink);
    }

    private static void Footer(Page page, ReportScope scope)
    {
        page.StartFooter();
        page.Rule();
        if (page.Shortened) page.Text("Shortened to fit one page: the CSV and FHIR exports hold every day.", page.Small, Muted);
        if (scope.Link is { } link)
        {
            page.Text(
                $"Opened through a share link made by the {Words(link.CreatedBy)} on {Date(link.CreatedAt.UtcDateTime)}; it expires {link.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.",
                page.Small, Muted);
        }
        page.Text(Disclaimer.Text, page.Small, Ink);
    }

    private static string TreatmentName(Treatment treatment) => treatment switch
    {
        Treatment.Nsaid => "NSAID",
        _ => Capitalised(Words(treatment)),
    };

    private static void AddCount(List<string> reported, string what, int days)
    {
        if (days > 0) reported.Add($"{what} ({Count(days, "day")})");
    }

    private static string? Percent(string treatment, decimal? percent) =>
        percent is { } p ? $"{treatment} {p.ToString("0", CultureInfo.InvariantCulture)}%" : null;

    private static bool Between(DateOnly day, DateOnly first, DateOnly last) => day >= first && day <= last;

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Words<T>(T value) where T : struct, Enum => WireNames.Of(value).Replace('-', ' ');

    private static string Words<T>(T? value) where T : struct, Enum => value is { } v ? Words(v) : "no reason given";

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Date(DateTime instant) => instant.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(decimal? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";

    private static string Signed(decimal? value) => value?.ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>
    /// Writes down the page, wrapping words to the current column; text that would run past the
    /// footer is dropped and noted, so the report stays one page whatever the record holds.
    /// </summary>
    private sealed class Page(XGraphics graphics, double pageWidth, double pageHeight)
    {
        /// <summary>Room kept at the bottom for the disclaimer, which must always be printed.</summary>
        private const double FooterSpace = 100;

        private double _bottom = pageHeight - FooterSpace;

        public XFont Title { get; } = new(ReportFonts.Family, 15, XFontStyleEx.Bold);
        public XFont HeadingFont { get; } = new(ReportFonts.Family, 10, XFontStyleEx.Bold);
        public XFont Bold { get; } = new(ReportFonts.Family, 8.5, XFontStyleEx.Bold);
        public XFont Regular { get; } = new(ReportFonts.Family, 8.5, XFontStyleEx.Regular);
        public XFont Small { get; } = new(ReportFonts.Family, 7, XFontStyleEx.Regular);

        public double PageWidth { get; } = pageWidth;
        public double Left { get; private set; } = Margin;
        public double Width { get; private set; } = pageWidth - 2 * Margin;
        public double Y { get; set; } = Margin;
        public bool Shortened { get; private set; }

        public void Column(double left, double width)
        {
            Left = left;
            Width = width;
        }

        /// <summary>Moves to the footer at the foot of the page, below whatever the body used.</summary>
        public void StartFooter()
        {
            Y = Math.Max(Y, pageHeight - FooterSpace);
            _bottom = pageHeight - Margin;
        }

        public void Gap(double points) => Y += points;

        public void Heading(string text)
        {
            Gap(6);
            Text(text, HeadingFont, Ink);
            Gap(1);
        }

        public void Text(string text, XFont font, XColor colour, double indent = 0, bool alignRight = false, bool advance = true)
        {
            var brush = new XSolidBrush(colour);
            var lineHeight = font.GetHeight() * 1.15;
            var y = Y;
            foreach (var line in Wrap(text, font, Width - indent))
            {
                if (y + lineHeight > _bottom)
                {
                    Shortened = true;
                    break;
                }
                var x = alignRight ? Left + Width - graphics.MeasureString(line, font).Width : Left + indent;
                graphics.DrawString(line, font, brush, x, y, XStringFormats.TopLeft);
                y += lineHeight;
            }
            if (advance) Y = y;
        }

        public void Image(XImage image, double height)
        {
            graphics.DrawImage(image, Left, Y, Width, height);
            Y += height;
        }

        public void Rule()
        {
            Gap(3);
            graphics.DrawLine(new XPen(Muted, 0.5), Left, Y, Left + Width, Y);
            Gap(4);
        }

        private IEnumerable<string> Wrap(string text, XFont font, double width)
        {
            var line = "";
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && graphics.MeasureString(candidate, font).Width > width)
                {
                    yield return line;
                    line = word;
                }
                else
                {
                    line = candidate;
                }
            }
            if (line.Length > 0) yield return line;
        }
    }
}
