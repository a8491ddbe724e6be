using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using CalfPainTracker.Tests.Security;
using Microsoft.Playwright;

namespace CalfPainTracker.Tests.Dashboard;

/// <summary>
/// A physiotherapist signs in to the dashboard in Chromium through the clinic's OpenID Connect
/// provider (the suite's OpenIddict server): authorization code with PKCE, the service in
/// Production as its own process on a known address, which is the registered redirect URI.
/// </summary>
[Collection(nameof(ServiceProcesses))]
public sealed class DashboardSignInTests : IAsyncLifetime
{
    /// <summary>Short, so the test sees the page notice the end of the sign-in.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(20);

    private readonly Guid _clinic = Guid.NewGuid();
    private readonly Caller _physio;
    private TestIdentityProvider _provider = null!;
    private ApiProcess _api = null!;
    private HeadlessChromium _chromium = null!;
    private Guid _episode;

    public DashboardSignInTests() => _physio = new Caller(Guid.NewGuid(), Role.Physio, _clinic);

    public async ValueTask InitializeAsync()
    {
        _provider = await TestIdentityProvider.Start(ClinicProviderFixture.Audience, accessTokenLifetime: TokenLifetime);
        var port = PostgresServer.FreePort();
        var url = $"http://127.0.0.1:{port}";
        _provider.RedirectUris.Add($"{url}/dashboard");
        _provider.SignedIn = new TestIdentityProvider.Staff(_physio.UserId, _clinic, "Staff", TestIdentityProvider.PhysioRole);
        var settings = ClinicProviderFixture.Settings(_provider);
        settings["PublicUrl"] = url;
        _api = await ApiProcess.Start(await PostgresServer.ConnectionString, "calfpain_browser_oidc", settings, port);

        using var asPhysio = _api.ClientFor(_physio);
        var onset = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var opened = await (await asPhysio.PostAsJsonAsync("/api/episodes", new { patientId = Guid.NewGuid(), side = "left", suspectedCause = "calf-strain", onsetDate = onset, timeZone = "UTC" })).ShouldBe(HttpStatusCode.Created);
        _episode = opened["id"]!.GetValue<Guid>();

        _chromium = await HeadlessChromium.Launch();
    }

    public async ValueTask DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _api.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task A_physio_signs_in_at_the_clinics_provider_sees_their_patients_and_is_told_when_the_sign_in_ends()
    {
        var page = await _chromium.Browser.NewPageAsync();
        var visited = new List<string>();
        page.Request += (_, request) => { if (request.IsNavigationRequest) visited.Add(request.Url); };
        // The browser asks for a favicon the service does not have: not the page's doing.
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error" && !message.Location.StartsWith($"{_api.Url}/favicon.ico", StringComparison.Ordinal)) problems.Add($"{message.Text} {message.Location}"); };
        await page.GotoAsync($"{_api.Url}/dashboard");

        await Assertions.Expect(page.Locator("#sign-in-provider")).ToBeVisibleAsync();
        // Production with a provider: no pasting tokens.
        Assert.False(await page.Locator("#sign-in-form").IsVisibleAsync());
        await page.ClickAsync("#sign-in-provider");
        await page.WaitForSelectorAsync($"tr.patient-row[data-episode='{_episode}']", new() { Timeout = 15_000 });

        var authorize = Assert.Single(visited, u => u.StartsWith($"{_provider.Url}/connect/authorize", StringComparison.Ordinal));
        Assert.Contains("code_challenge_method=S256", authorize, StringComparison.Ordinal);
        Assert.Contains("state=", authorize, StringComparison.Ordinal);
        Assert.Equal($"{_api.Url}/dashboard", page.Url);
        Assert.Equal(1, await page.Locator("tr.patient-row").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('calfpain.oidc')"));

        await Assertions.Expect(page.Locator("#signed-out")).ToContainTextAsync("signed out", new() { Timeout = (float)(TokenLifetime + TimeSpan.FromSeconds(15)).TotalMilliseconds });
        await Assertions.Expect(page.Locator("#sign-in-provider")).ToHaveTextAsync("Sign in again");
        Assert.False(await page.Locator("#triage").IsVisibleAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('calfpain.token')"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
