using System.Net;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Export;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using CalfPainTracker.Trends;

namespace CalfPainTracker.Tests.Export;

[Collection(nameof(ExportCollection))]
public sealed class DoctorReportTests(ExportedEpisode exported)
{
    [Fact]
    public async Task The_physios_report_is_one_page_with_current_pain_alerts_wells_and_the_disclaimer_and_renders_to_a_png()
    {
        var response = await exported.Physio.Get($"/api/episodes/{exported.Episode}/report.pdf");
        var pdf = await Pdf(response);

        var report = ReportPdf.Read(pdf);
        Assert.Equal(1, report.Pages);
        Assert.True(report.Shows($"Patient {exported.Patient.Id}"), report.Text);
        Assert.True(report.Shows($"Latest pain 1/10 on {ExportedEpisode.LastDay}"), report.Text);
        Assert.True(report.Shows("Direction: IMPROVING"), report.Text);
        var titles = await exported.OpenAlertTitles();
        Assert.NotEmpty(titles);
        Assert.All(titles, title => Assert.True(report.Shows(title), $"'{title}' is missing from: {report.Text}"));
        Assert.True(report.Shows("redness (1 day, last 2026-11-01)"), report.Text);
        Assert.True(report.Shows("Wells score (clinicians only)"), report.Text);
        Assert.True(report.Shows("DVT unlikely by score"), report.Text);
        Assert.True(report.Shows("Latest 60 on 2026-11-03, +20 since the first (40): a meaningful improvement"), report.Text);
        Assert.True(report.Shows("Percent of the physiotherapist's daily targets met"), report.Text);
        Assert.True(report.Shows(Disclaimer.Text), report.Text);
        Assert.False(report.Shows("Shortened to fit one page"), report.Text);

        var png = await ReportPdf.RenderFirstPage(pdf, "report-sample");
        var (inked, chartBlue) = ReportPdf.Coverage(png);
        TestContext.Current.TestOutputHelper?.WriteLine($"Rendered the report to {png}: {inked:P1} inked, {chartBlue:P2} chart blue");
        Assert.InRange(inked, 0.02, 0.5);
        Assert.True(chartBlue > 0.0003, $"The pain chart's points are missing from {png}");
    }

    [Fact]
    public async Task The_patients_own_report_never_shows_the_wells_score_or_says_a_clot_is_unlikely()
    {
        var report = ReportPdf.Read(await Pdf(await exported.Patient.Get($"/api/episodes/{exported.Episode}/report.pdf")));

        Assert.Equal(1, report.Pages);
        Assert.True(report.Shows($"Latest pain 1/10 on {ExportedEpisode.LastDay}"), report.Text);
        Assert.DoesNotContain("Wells", report.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("unlikely", report.Text, StringComparison.OrdinalIgnoreCase);
        Assert.True(report.Shows(Disclaimer.Text), report.Text);
    }

    [Fact]
    public async Task From_and_to_narrow_the_period_shown()
    {
        var report = ReportPdf.Read(await Pdf(await exported.Physio.Get($"/api/episodes/{exported.Episode}/report.pdf?from=2026-10-01&to=2026-10-07")));

        Assert.True(report.Shows("Period shown: 2026-10-01 to 2026-10-07: 6 of 7 days logged."), report.Text); // 4 October was missed
        Assert.True(report.Shows("No warning symptoms reported in this period."), report.Text);
    }

    [Theory]
    [InlineData("?from=2026-13-01", "from")]
    [InlineData("?to=yesterday", "to")]
    [InlineData("?from=2026-10-08&to=2026-10-01", "from")]
    public async Task A_bad_period_is_a_400_naming_the_field(string query, string field)
    {
        var problem = await (await exported.Physio.Get($"/api/episodes/{exported.Episode}/report.pdf{query}")).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public void An_episode_with_no_check_ins_still_makes_a_one_page_report()
    {
        var episode = new Episode();
        episode.Apply(new EpisodeOpened(Guid.NewGuid(), Guid.NewGuid(), Side.Left, SuspectedCause.CalfStrain, new DateOnly(2026, 11, 1), "Europe/London", RiskFactors.None, new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero)));

        var pdf = DoctorReport.Render(episode, new EpisodeHistory { Id = episode.Id }, new ReportScope(null, null, Role.Patient, new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero)));

        var report = ReportPdf.Read(pdf);
        Assert.Equal(1, report.Pages);
        Assert.True(report.Shows("No check-in logged yet."), report.Text);
        Assert.True(report.Shows("No check-ins in this period, so no chart."), report.Text);
        Assert.True(report.Shows("No open alerts."), report.Text);
    }

    private static async Task<byte[]> Pdf(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(DoctorReport.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("%PDF-"u8.ToArray(), bytes[..5]);
        return bytes;
    }
}
