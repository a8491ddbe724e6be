using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CalfPainTracker.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium against the service running as its own process
/// on PostgreSQL, with a seeded clinic of 40 patients. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(nameof(ServiceProcesses))]
public sealed class DashboardInBrowserTests : IAsyncLifetime
{
    private readonly Guid _clinic = Guid.NewGuid();
    private readonly Caller _physio;
    private ApiProcess _api = null!;
    private HeadlessChromium _chromium = null!;
    private Guid _emergency, _clot, _tenDays;

    public DashboardInBrowserTests() => _physio = new Caller(Guid.NewGuid(), Role.Physio, _clinic);

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.Start(await PostgresServer.ConnectionString, "calfpain_browser", ApiProcess.SingleNode());
        _emergency = await Seed([Day(0)], 7, new { symptoms = new[] { "shortness-of-breath" } });
        _clot = await Seed([Day(0)], 5, new { swelling = "moderate", symptoms = new[] { "warmth" } });
        // Eleven days with the fifth missed: ten points on the chart, and a gap.
        _tenDays = await Seed([.. Enumerable.Range(0, 11).Where(i => i != 4).Select(i => Day(-10 + i))], 3);
        for (var i = 0; i < 37; i++) await Seed([Day(-2)], 3);

        _chromium = await HeadlessChromium.Launch();
    }

    public async ValueTask DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_physio_signs_in_sees_the_emergency_first_opens_a_chart_acknowledges_an_alert_and_sees_a_new_emergency_arrive_live()
    {
        var page = await _chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        await page.GotoAsync($"{_api.Url}/dashboard");
        await page.FillAsync("#token", Token(_physio));
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForSelectorAsync("tr.patient-row");
        await Screenshot(page, "1-triage");
        await Metrics(page);

        Assert.Equal(40, await page.Locator("tr.patient-row").CountAsync());
        Assert.Equal(_emergency.ToString(), await page.Locator("tr.patient-row").First.GetAttributeAsync("data-episode"));
        Assert.Equal("urgent", await page.Locator("tr.patient-row").Nth(1).GetAttributeAsync("data-triage"));
        Assert.True(await page.Locator("#emergency").IsVisibleAsync());
        Assert.StartsWith("(1!)", await page.TitleAsync(), StringComparison.Ordinal);

        await page.ClickAsync($"tr[data-episode='{_tenDays}']");
        await page.WaitForSelectorAsync("#pain-chart[data-points='10'] canvas");
        await Screenshot(page, "2-patient");

        // Inviting the patient to the app: a link and its QR code to print.
        await page.ClickAsync("#invite");
        await Assertions.Expect(page.Locator("#invitation-link")).ToContainTextAsync("/app#invite=");
        Assert.StartsWith("data:image/svg+xml", await page.Locator("#invitation-qr").GetAttributeAsync("src"), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('invitation-qr').naturalWidth > 0"), "the QR code does not render");

        await page.ClickAsync("#back");
        await page.ClickAsync($"tr[data-episode='{_clot}']");
        await page.ClickAsync("#alerts li[data-status='open'] button:has-text('Acknowledge')");
        await page.WaitForSelectorAsync("#alerts li[data-status='acknowledged']");

        await page.ClickAsync("#back");
        var another = await Seed([Day(0)], 8, new { symptoms = new[] { "cold-pale-leg", "numbness" } });
        await page.WaitForSelectorAsync($"tr[data-episode='{another}'][data-triage='emergency']", new() { Timeout = 20_000 });
        Assert.Equal(2, await page.Locator("tr.patient-row[data-triage='emergency']").CountAsync());
        Assert.StartsWith("(2!)", await page.TitleAsync(), StringComparison.Ordinal);
        await Screenshot(page, "3-live-emergency");
    }

    [Fact]
    public async Task A_patients_cleared_advice_is_shown_apart_from_the_open_alerts_and_a_note_joins_the_timeline()
    {
        // A physiotherapist of their own, so the other test's count of 40 patients holds.
        var physio = new Caller(Guid.NewGuid(), Role.Physio, _clinic);
        var patient = new Caller(Guid.NewGuid(), Role.Patient, _clinic);
        using var asPhysio = _api.ClientFor(physio);
        var opened = await (await asPhysio.PostAsJsonAsync("/api/episodes", new { patientId = patient.UserId, side = "left", suspectedCause = "calf-strain", onsetDate = Day(-14), timeZone = ApiProcess.Zone })).ShouldBe(HttpStatusCode.Created);
        var episode = opened["id"]!.GetValue<Guid>();
        using var asPatient = _api.ClientFor(patient);
        await (await asPatient.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(Day(-4), 3, new { swelling = "mild" }), TestUser.Json)).ShouldBe(HttpStatusCode.Created);
        foreach (var day in new[] { Day(-3), Day(-2), Day(-1) })
        {
            await (await asPatient.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(day, 3), TestUser.Json)).ShouldBe(HttpStatusCode.Created);
        }
        await (await asPatient.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(Day(0), 3, new { painAtNight = true }), TestUser.Json)).ShouldBe(HttpStatusCode.Created);

        var page = await _chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        await page.GotoAsync($"{_api.Url}/dashboard");
        await page.FillAsync("#token", Token(physio));
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.ClickAsync($"tr[data-episode='{episode}']");
        await page.WaitForSelectorAsync("#cleared-alerts li[data-status='cleared']", new() { State = WaitForSelectorState.Attached });

        Assert.Equal(1, await page.Locator("#cleared-alerts li").CountAsync());
        Assert.Equal("1", await page.Locator("#cleared-count").TextContentAsync());
        Assert.Equal(1, await page.Locator("#alerts li").CountAsync());
        Assert.Equal("open", await page.Locator("#alerts li").GetAttributeAsync("data-status"));
        Assert.Equal(1, await page.Locator("#timeline li[data-kind='alert-cleared']").CountAsync());

        await page.FillAsync("#note-form textarea[name=text]", "Phoned: swelling gone, night pain new.");
        await page.ClickAsync("#note-form button[type=submit]");
        await Assertions.Expect(page.Locator("#timeline li[data-kind='clinician-note']")).ToContainTextAsync("night pain new");
        await Screenshot(page, "4-cleared-and-timeline");
    }

    [Fact]
    public async Task A_patients_token_cannot_open_the_dashboard()
    {
        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync($"{_api.Url}/dashboard");
        await page.FillAsync("#token", Token(new Caller(Guid.NewGuid(), Role.Patient, _clinic)));
        await page.ClickAsync("#sign-in-form button[type=submit]");

        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("for physiotherapists");
        Assert.False(await page.Locator("#triage").IsVisibleAsync());
    }

    private static string Day(int offset) => PatientCalendar.DaysAgo(-offset, ApiProcess.Zone);

    private static string Token(Caller caller) => DevelopmentToken.Mint(ApiHost.Jwt, caller, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>A patient of the physio with a check-in on each day; the last one carries <paramref name="last"/>.</summary>
    private async Task<Guid> Seed(string[] days, int pain, object? last = null)
    {
        var patient = new Caller(Guid.NewGuid(), Role.Patient, _clinic);
        using var asPhysio = _api.ClientFor(_physio);
        var opened = await (await asPhysio.PostAsJsonAsync("/api/episodes", new { patientId = patient.UserId, side = "left", suspectedCause = "calf-strain", onsetDate = Day(-14), timeZone = ApiProcess.Zone })).ShouldBe(HttpStatusCode.Created);
        var episode = opened["id"]!.GetValue<Guid>();
        using var asPatient = _api.ClientFor(patient);
        foreach (var day in days)
        {
            var checkIn = TestUser.CheckIn(day, pain, day == days[^1] ? last : null);
            await (await asPatient.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", checkIn, TestUser.Json)).ShouldBe(HttpStatusCode.Created);
        }
        return episode;
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"dashboard-{name}.png"), FullPage = true });
    }

    /// <summary>Load time and bytes transferred, written next to the screenshots (measured, not asserted).</summary>
    private static async Task Metrics(IPage page)
    {
        var figures = await page.EvaluateAsync<string>(
            "() => { const n = performance.getEntriesByType('navigation')[0]; const r = performance.getEntriesByType('resource');" +
            " const bytes = r.reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), n.transferSize || 0);" +
            " const api = r.filter(e => e.name.endsWith('/api/dashboard')).map(e => e.responseEnd - e.startTime);" +
            " return JSON.stringify({ domContentLoadedMs: n.domContentLoadedEventEnd, dashboardApiMs: api, transferredBytes: bytes, resources: r.length }); }");
        await File.WriteAllTextAsync(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "screenshots", "dashboard-metrics.json"), figures);
    }
}
