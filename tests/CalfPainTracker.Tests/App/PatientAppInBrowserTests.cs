using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CalfPainTracker.Tests.App;

/// <summary>
/// The patient's app in a real headless Chromium on a phone-sized screen, against the service
/// running as its own process on PostgreSQL. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(nameof(ServiceProcesses))]
public sealed class PatientAppInBrowserTests : IAsyncLifetime
{
    private const string Zone = "Europe/London";
    private readonly Caller _physio = new(Guid.NewGuid(), Role.Physio, Guid.NewGuid());
    private readonly List<string> _pageErrors = [];
    private ApiProcess _api = null!;
    private HeadlessChromium _chromium = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.Start(await PostgresServer.ConnectionString, "calfpain_app", ApiProcess.SingleNode());
        _chromium = await HeadlessChromium.Launch();
    }

    public async ValueTask DisposeAsync()
    {
        // Whatever the scenario, the app's own script never fails.
        Assert.Empty(_pageErrors);
        await _chromium.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_patient_enrols_by_link_logs_today_backfills_yesterday_corrects_a_day_and_the_phone_is_remembered_after_a_reload()
    {
        var (patient, episode, code) = await Invitation();
        var page = await Phone();

        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);
        Assert.DoesNotContain("invite", page.Url, StringComparison.Ordinal);
        Assert.Contains("does not watch check-ins in real time", await page.Locator("#not-watched").TextContentAsync(), StringComparison.Ordinal);

        await page.SelectOptionAsync("#day", Today);
        await Fill(page, pain: 6, swelling: "mild", walking: true, atNight: true);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Save") }).ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Saved.");
        await Assertions.Expect(page.Locator("#advice [data-rule='pain-at-night-or-rest']")).ToBeVisibleAsync();
        await page.Locator("#save").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "1-saved", fullPage: false);

        await page.SelectOptionAsync("#day", Yesterday);
        Assert.Equal("", await page.Locator("#day-note").TextContentAsync());
        await Fill(page, pain: 7, swelling: "moderate", walking: true);
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Saved.");

        await page.SelectOptionAsync("#day", Today);
        await Assertions.Expect(page.Locator("#day-note")).ToContainTextAsync("corrects it");
        await Fill(page, pain: 5, swelling: "mild", walking: true);
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("corrected");

        var days = (await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal([(Yesterday, 7), (Today, 5)], days.Select(d => (d!["day"]!.GetValue<string>(), d["painLevel"]!.GetValue<int>())));

        await page.ReloadAsync();
        await Ready(page);
        Assert.True(await page.Locator("#checkin").IsVisibleAsync());
        // Pre-filled from the last check-in, except the warning signs, which always start empty.
        Assert.True(await page.Locator("#pain-5").IsCheckedAsync());
        Assert.Equal(0, await page.Locator("input[name=symptoms]:checked").CountAsync());
        // The trend is an async projection: the page asks again until it has caught up.
        await Assertions.Expect(page.Locator("#chart svg circle")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Screenshot(page, "2-start", fullPage: false);
        await Screenshot(page, "2-recovery");
        await Metrics(page);
    }

    [Fact]
    public async Task Offline_a_check_in_is_kept_on_the_phone_an_emergency_shows_its_advice_at_once_and_it_is_sent_once_when_the_connection_returns()
    {
        var (patient, episode, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);
        await page.EvaluateAsync("() => navigator.serviceWorker.ready");

        await page.Context.SetOfflineAsync(true);
        await page.SelectOptionAsync("#day", Today);
        await Fill(page, pain: 6, swelling: "moderate", walking: false);
        await page.CheckAsync("input[name=symptoms][value='shortness-of-breath']");
        await page.ClickAsync("#save");

        var emergency = page.Locator("#emergency[role=alert]");
        await Assertions.Expect(emergency).ToBeVisibleAsync();
        await Assertions.Expect(emergency).ToContainTextAsync("Call 999");
        Assert.Equal("tel:999", await emergency.Locator("a").GetAttributeAsync("href"));
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Saved on this phone, will be sent");
        await Assertions.Expect(page.Locator("#outbox-list li[data-status='pending']")).ToHaveCountAsync(1);
        await Screenshot(page, "3-offline-emergency");

        // Back online: the check-in goes once, and the service raises the emergency alert.
        await page.Context.SetOfflineAsync(false);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");
        await Assertions.Expect(page.Locator("#outbox")).ToBeHiddenAsync();
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");

        var days = (await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal(Today, Assert.Single(days)!["day"]!.GetValue<string>());
        var summary = await Get(patient, $"/api/episodes/{episode}");
        Assert.Equal(0, summary["corrections"]!.GetValue<int>());
        var alerts = (await Get(patient, $"/api/episodes/{episode}/alerts"))["alerts"]!.AsArray();
        Assert.Contains(alerts, a => a!["rule"]!.GetValue<string>() == "possible-clot-in-lungs");
    }

    [Fact]
    public async Task A_check_in_that_fails_on_a_network_the_phone_thinks_is_up_is_sent_by_itself_once_it_gets_through()
    {
        var (patient, episode, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);

        // The phone says it is online, but its check-ins do not get through (a captive portal, a dead cell).
        await page.RouteAsync("**/check-ins", route => route.AbortAsync("connectionreset"));
        await page.SelectOptionAsync("#day", Today);
        await Fill(page, pain: 5, swelling: "mild", walking: true);
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#outbox-list li[data-status='pending']")).ToHaveCountAsync(1);

        // No "online" event comes: the app tries again by itself.
        await page.UnrouteAsync("**/check-ins");
        await Assertions.Expect(page.Locator("#outbox")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        var days = (await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal(Today, Assert.Single(days)!["day"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_check_in_the_service_refuses_stays_on_the_phone_with_why_to_fix_and_send_again()
    {
        var (patient, episode, page) = await CheckInKeptOffline();
        // A check-in kept by an older version of the app, which the service no longer takes as it is.
        await page.EvaluateAsync("""
            () => new Promise((resolve, reject) => {
              const opening = indexedDB.open("calfpain", 1);
              opening.onerror = () => reject(opening.error);
              opening.onsuccess = () => {
                const store = opening.result.transaction("outbox", "readwrite").objectStore("outbox");
                const all = store.getAll();
                all.onsuccess = () => { for (const item of all.result) store.put({ ...item, body: { ...item.body, painLevel: 11 } }); };
                store.transaction.oncomplete = () => { opening.result.close(); resolve(); };
              };
            })
            """);
        await page.Context.SetOfflineAsync(false);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");

        var refused = page.Locator("#outbox-list li[data-status='failed']");
        // In the patient's words, naming what to look at, not the service's field names.
        await Assertions.Expect(refused).ToContainTextAsync("not accepted: Check the pain (0 to 10).");
        await Assertions.Expect(refused.Locator("button")).ToHaveTextAsync(["Fix and send again", "Discard"]);
        Assert.Empty((await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray());

        await refused.Locator("button", new() { HasText = "Fix and send again" }).ClickAsync();
        await Assertions.Expect(page.Locator("#form-error")).ToHaveTextAsync("Check the pain (0 to 10).");
        await page.ClickAsync("label[for='pain-4']");
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#outbox")).ToBeHiddenAsync();
        var day = Assert.Single((await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray())!;
        Assert.Equal(4, day["painLevel"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_check_in_kept_offline_while_the_physio_closes_the_episode_stays_on_the_phone_marked_not_recorded_and_why()
    {
        var (patient, episode, page) = await CheckInKeptOffline();

        // The physio closes the episode meanwhile, which signs the phone out at once.
        using (var physio = _api.ClientFor(_physio))
        {
            await (await physio.PostAsJsonAsync($"/api/episodes/{episode}/close", new { reason = "referred" })).ShouldBe(HttpStatusCode.NoContent);
        }
        await page.Context.SetOfflineAsync(false);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");

        // The app says it was the closing (not a lost phone or a fault) and keeps the check-in.
        var kept = page.Locator("#outbox-list li[data-status='failed']");
        await Assertions.Expect(kept).ToContainTextAsync("was closed before it was sent");
        await Assertions.Expect(page.Locator("#welcome-text")).ToContainTextAsync("episode of care has been closed");
        // The form that had focus is gone; focus moves to why, so a screen reader says it.
        await Assertions.Expect(page.Locator("#welcome-text")).ToBeFocusedAsync();
        // Signed out, it cannot be sent again from here: only discarded.
        await Assertions.Expect(kept.Locator("button")).ToHaveTextAsync(["Discard"]);
        Assert.Empty((await Get(patient, $"/api/episodes/{episode}/check-ins"))["days"]!.AsArray());
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#welcome-text")).ToContainTextAsync("episode of care has been closed");
        await Assertions.Expect(kept).ToHaveCountAsync(1);
        Assert.False(await page.Locator("#checkin").IsVisibleAsync());

        // Invited into a new episode later, the phone still shows it, to read or discard: it was never recorded.
        var (_, _, next) = await Invitation(patient);
        await page.GotoAsync("about:blank");
        await page.GotoAsync($"{_api.Url}/app#invite={next}");
        await Ready(page);
        await Assertions.Expect(page.Locator("#checkin")).ToBeVisibleAsync();
        await Assertions.Expect(kept).ToHaveCountAsync(1);
        await Assertions.Expect(kept.Locator("button")).ToHaveTextAsync(["Discard"]);
        await kept.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#outbox")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_phone_the_clinic_signs_out_says_so_at_its_next_use()
    {
        var (_, episode, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);

        // Reported lost: the clinic signs the phone out while its token has minutes left.
        using (var physio = _api.ClientFor(_physio))
        {
            var device = (await (await physio.GetAsync($"/api/episodes/{episode}/devices")).ShouldBe(HttpStatusCode.OK)).AsArray().Single()!["id"]!.GetValue<Guid>();
            await (await physio.DeleteAsync($"/api/episodes/{episode}/devices/{device}")).ShouldBe(HttpStatusCode.NoContent);
        }
        await page.ReloadAsync();

        await Assertions.Expect(page.Locator("#welcome-text")).ToContainTextAsync("Your clinic signed this phone out");
        Assert.False(await page.Locator("#checkin").IsVisibleAsync());
        Assert.False(await page.Locator("#recovery").IsVisibleAsync());
    }

    [Fact]
    public async Task The_app_has_no_serious_accessibility_violation_on_a_phone_in_dark_mode_or_at_200_percent_zoom_and_is_installable()
    {
        var (_, _, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);

        await NoSeriousViolations(page, "light");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await NoSeriousViolations(page, "dark");
        await Screenshot(page, "4-dark");
        // 200% zoom on a 360 px phone leaves 180 CSS pixels: nothing may need sideways scrolling.
        await page.SetViewportSizeAsync(180, 740);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways at 200% zoom");
        await NoSeriousViolations(page, "zoomed");

        var manifest = await page.EvaluateAsync<string>("async () => JSON.stringify(await (await fetch(document.querySelector('link[rel=manifest]').href)).json())");
        var parsed = JsonNode.Parse(manifest)!;
        Assert.Equal("standalone", parsed["display"]!.GetValue<string>());
        Assert.Contains(parsed["icons"]!.AsArray(), i => i!["sizes"]!.GetValue<string>() == "512x512");
        await page.ReloadAsync();
        await Ready(page);
        Assert.True(await page.EvaluateAsync<bool>("() => navigator.serviceWorker.controller !== null"), "the service worker does not control the page");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var installability = await cdp.SendAsync("Page.getInstallabilityErrors");
        var errors = installability?.GetProperty("installabilityErrors").EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).ToList() ?? [];
        // Playwright's contexts are incognito-like; everything else would stop Chrome offering to install.
        Assert.DoesNotContain(errors, e => e != "in-incognito");
    }

    [Fact]
    public async Task A_reminder_pushed_to_the_phone_is_shown_as_a_notification_by_the_apps_service_worker()
    {
        // The push service (and the encryption, tested in WebPushTests) is not reachable from here:
        // Chromium's DevTools hands the worker the decrypted message as the push service would.
        var (_, _, code) = await Invitation();
        var page = await Phone(notifications: true);
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);
        await page.EvaluateAsync("() => navigator.serviceWorker.ready");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var registration = new TaskCompletionSource<string>();
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, update) =>
        {
            foreach (var found in update!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (found.GetProperty("scopeURL").GetString()!.Contains("/app", StringComparison.Ordinal)) registration.TrySetResult(found.GetProperty("registrationId").GetString()!);
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var registrationId = await registration.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var reminder = new JsonObject
        {
            ["title"] = "Time for today's check-in", ["body"] = "How is your calf today?", ["url"] = "/app", ["day"] = Today, ["tag"] = $"checkin-reminder-{Today}",
        };
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = _api.Url, ["registrationId"] = registrationId, ["data"] = reminder.ToJsonString(),
        });

        string[] shown = [];
        for (var attempt = 0; attempt < 50 && shown.Length == 0; attempt++)
        {
            await Task.Delay(100);
            shown = await page.EvaluateAsync<string[]>("async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(n => `${n.title}|${n.tag}`)");
        }
        Assert.Equal([$"Time for today's check-in|checkin-reminder-{Today}"], shown);
    }

    [Fact]
    public async Task The_patient_sees_that_the_physio_has_seen_an_alert_shares_a_report_signs_out_another_phone_and_forgets_this_one()
    {
        var (patient, episode, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);
        await page.SelectOptionAsync("#day", Today);
        await Fill(page, pain: 4, swelling: "none", walking: false);
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#advice [data-rule='cannot-walk-comfortably']")).ToBeVisibleAsync();

        // The physiotherapist acknowledges the alert; the patient sees it was seen.
        var alerts = (await Get(patient, $"/api/episodes/{episode}/alerts"))["alerts"]!.AsArray();
        using (var physio = _api.ClientFor(_physio))
        {
            await (await physio.PostAsync($"/api/alerts/{alerts[0]!["id"]}/acknowledge", null)).ShouldBe(HttpStatusCode.OK);
        }
        // A second phone of the same patient, to sign out from this one.
        using (var physio = _api.ClientFor(_physio))
        using (var anonymous = new HttpClient { BaseAddress = new Uri(_api.Url) })
        {
            var second = await (await physio.PostAsJsonAsync($"/api/episodes/{episode}/invitations", new { })).ShouldBe(HttpStatusCode.Created);
            await (await anonymous.PostAsJsonAsync("/api/sessions", new { invitationCode = second["code"]!.GetValue<string>(), deviceName = "Old tablet" })).ShouldBe(HttpStatusCode.Created);
        }
        await page.ReloadAsync();
        await Ready(page);
        await Assertions.Expect(page.Locator("#alerts li[data-rule='cannot-walk-comfortably']")).ToContainTextAsync("Seen by your physiotherapist");

        await page.ClickAsync("#share");
        await Assertions.Expect(page.Locator("#share-result a")).ToContainTextAsync("/r/");
        await Assertions.Expect(page.Locator("#links li button")).ToHaveCountAsync(1);
        await page.ClickAsync("#links li button");
        await Assertions.Expect(page.Locator("#links li")).ToContainTextAsync("No links are open.");

        await Assertions.Expect(page.Locator("#devices li")).ToHaveCountAsync(2);
        await page.ClickAsync("#devices li:has-text('Old tablet') button");
        await Assertions.Expect(page.Locator("#devices li")).ToHaveCountAsync(1);

        await page.ClickAsync("#forget");
        await Assertions.Expect(page.Locator("#welcome-text")).ToContainTextAsync("forgotten");
        await page.ReloadAsync();
        Assert.False(await page.Locator("#checkin").IsVisibleAsync());
        Assert.Empty((await Get(patient, "/api/me/devices")).AsArray());
    }

    [Fact]
    public async Task The_apps_own_files_arrive_compressed_and_the_api_does_not()
    {
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(_api.Url) };
        client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("br, gzip");

        using var script = await client.GetAsync("/app/app.js");
        using var health = await client.GetAsync("/health/live");

        Assert.Contains(script.Content.Headers.ContentEncoding, e => e is "br" or "gzip");
        Assert.Empty(health.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task An_invitation_already_used_says_so_and_signs_nobody_in()
    {
        var (_, _, code) = await Invitation();
        using (var anonymous = new HttpClient { BaseAddress = new Uri(_api.Url) })
        {
            await (await anonymous.PostAsJsonAsync("/api/sessions", new { invitationCode = code })).ShouldBe(HttpStatusCode.Created);
        }
        var page = await Phone();

        await page.GotoAsync($"{_api.Url}/app#invite={code}");

        await Assertions.Expect(page.Locator("#welcome-text")).ToContainTextAsync("already been used");
        Assert.False(await page.Locator("#checkin").IsVisibleAsync());
    }

    private static string Today => PatientCalendar.DaysAgo(0, Zone);

    private static string Yesterday => PatientCalendar.DaysAgo(1, Zone);

    private async Task<IPage> Phone(bool notifications = false)
    {
        var context = await _chromium.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 360, Height = 740 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "en-GB",
            Permissions = notifications ? ["notifications"] : [],
        });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        return page;
    }

    /// <summary>An episode opened by the physio for a new patient, and an invitation for it.</summary>
    /// <summary>A phone signed in by invitation, offline, holding today's check-in (pain 3) unsent.</summary>
    private async Task<(Caller Patient, Guid Episode, IPage Page)> CheckInKeptOffline()
    {
        var (patient, episode, code) = await Invitation();
        var page = await Phone();
        await page.GotoAsync($"{_api.Url}/app#invite={code}");
        await Ready(page);

        await page.Context.SetOfflineAsync(true);
        await page.SelectOptionAsync("#day", Today);
        await Fill(page, pain: 3, swelling: "none", walking: true);
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#outbox-list li[data-status='pending']")).ToHaveCountAsync(1);
        return (patient, episode, page);
    }

    private async Task<(Caller Patient, Guid Episode, string Code)> Invitation(Caller? returning = null)
    {
        var patient = returning ?? new Caller(Guid.NewGuid(), Role.Patient, _physio.ClinicId);
        using var physio = _api.ClientFor(_physio);
        var opened = await (await physio.PostAsJsonAsync("/api/episodes",
            new { patientId = patient.UserId, side = "left", suspectedCause = "calf-strain", onsetDate = PatientCalendar.DaysAgo(10, Zone), timeZone = Zone })).ShouldBe(HttpStatusCode.Created);
        var episode = opened["id"]!.GetValue<Guid>();
        var invitation = await (await physio.PostAsJsonAsync($"/api/episodes/{episode}/invitations", new { })).ShouldBe(HttpStatusCode.Created);
        return (patient, episode, invitation["code"]!.GetValue<string>());
    }

    private async Task<JsonNode> Get(Caller caller, string url)
    {
        using var client = _api.ClientFor(caller);
        return await (await client.GetAsync(url)).ShouldBe(HttpStatusCode.OK);
    }

    private static async Task Ready(IPage page) => await page.WaitForSelectorAsync("body[data-ready='true']");

    private static async Task Fill(IPage page, int pain, string swelling, bool walking, bool atNight = false)
    {
        await page.ClickAsync($"label[for='pain-{pain}']");
        await page.ClickAsync($"label[for='swelling-{swelling}']");
        await page.ClickAsync($"label[for='walking-{(walking ? "true" : "false")}']");
        await page.SetCheckedAsync("input[name=painAtNight]", atNight);
    }

    private static async Task NoSeriousViolations(IPage page, string what)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})")));
    }

    private static async Task Screenshot(IPage page, string name, bool fullPage = true)
    {
        var folder = Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"app-{name}.png"), FullPage = fullPage });
    }

    /// <summary>What the first load cost, written next to the screenshots (measured, not asserted).</summary>
    private static async Task Metrics(IPage page)
    {
        var figures = await page.EvaluateAsync<string>(
            "() => { const n = performance.getEntriesByType('navigation')[0]; const r = performance.getEntriesByType('resource');" +
            " const own = r.filter(e => new URL(e.name).pathname.startsWith('/app'));" +
            " return JSON.stringify({ domContentLoadedMs: n.domContentLoadedEventEnd, appFileBytes: own.reduce((s, e) => s + (e.encodedBodySize || 0), n.encodedBodySize || 0), resources: r.length }); }");
        await File.WriteAllTextAsync(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "screenshots", "app-metrics.json"), figures);
    }
}
