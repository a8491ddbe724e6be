using System.Net;
using System.Text.Json.Nodes;
using CalfPainTracker.Episodes;
using CalfPainTracker.Notifications;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wolverine.Tracking;

namespace CalfPainTracker.Tests.Notifications;

/// <summary>
/// The daily digest of advice alerts, to real receivers on loopback. Its own host and clock, so
/// the clock can stand at each day's digest time; the scheduled message is invoked directly, as
/// it would come due.
/// </summary>
public sealed class DigestWebhookTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly NotificationSettings Settings = new();

    // Noon on the patients' today, so their check-ins for today are not in the future and today's digest time has passed.
    private readonly FakeTimeProvider _clock = new(LocalTime.At(LocalTime.DayOf(DateTimeOffset.UtcNow, London), new TimeOnly(12, 0), London));
    private Alba.IAlbaHost _host = null!;
    private WebhookReceiver _digests = null!;
    private WebhookReceiver _everyAlert = null!;
    private TestClinic _clinic = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_digest", _clock, builder =>
        {
            builder.UseSetting("Notifications:AllowPrivateAddresses", "true");
            builder.UseSetting("Notifications:RetryBaseDelay", "00:00:00.100");
        });
        _digests = await WebhookReceiver.Start();
        _everyAlert = await WebhookReceiver.Start();
        _clinic = new TestClinic(_host);
    }

    public async ValueTask DisposeAsync()
    {
        await _everyAlert.DisposeAsync();
        await _digests.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Advice_waits_for_one_digest_a_day_per_physiotherapist_while_urgent_alerts_and_alert_raised_only_webhooks_are_told_at_once()
    {
        await Subscribe(_digests, "alert.raised", "digest.daily");
        await Subscribe(_everyAlert, "alert.raised");
        var physio = _clinic.Physio();

        var cannotWalk = await RaiseOne(physio, new { canWalkComfortably = false }, "advice");
        var fever = await RaiseOne(physio, new { symptoms = new[] { "fever" } }, "advice");
        var rupture = await RaiseOne(physio, new { symptoms = new[] { "cannot-stand-on-tiptoe" } }, "urgent");

        // At once: the urgent alert to the digest webhook, every alert to the other.
        var atOnce = Assert.Single(await _digests.WaitFor(1));
        Assert.Equal("alert.raised", Event(atOnce));
        Assert.Equal(rupture, JsonNode.Parse(atOnce.Body)!["alert"]!["id"]!.GetValue<Guid>());
        Assert.Equal([cannotWalk, fever, rupture], (await _everyAlert.WaitFor(3)).Select(r => JsonNode.Parse(r.Body)!["alert"]!["id"]!.GetValue<Guid>()).Order());

        // The digest's scheduled message comes due (twice, as a redelivery after a crash would).
        var day = await NextDigestDay(physio);
        _clock.SetUtcNow(DailyDigest.DigestTime(day, Settings));
        await _host.InvokeMessageAndWaitAsync(new SendDailyDigest(physio.Id, day), _clinic.Id.ToString());
        await _host.InvokeMessageAndWaitAsync(new SendDailyDigest(physio.Id, day), _clinic.Id.ToString());

        var received = await _digests.WaitFor(2);
        var first = JsonNode.Parse(received[1].Body)!;
        Assert.Equal("digest.daily", first["event"]!.GetValue<string>());
        Assert.Equal(received[1].Delivery, first["deliveryId"]!.GetValue<Guid>().ToString());
        Assert.Equal(_clinic.Id.ToString(), first["clinicId"]!.GetValue<string>());
        Assert.Equal(physio.Id, first["physiotherapistId"]!.GetValue<Guid>());
        Assert.Equal(PatientCalendar.Iso(day), first["day"]!.GetValue<string>());
        var listed = first["alerts"]!.AsArray();
        Assert.Equal(new[] { cannotWalk, fever }.Order(), listed.Select(a => a!["id"]!.GetValue<Guid>()).Order());
        Assert.All(listed, a => Assert.Equal("advice", a!["severity"]!.GetValue<string>()));
        Assert.Contains(listed, a => a!["rule"]!.GetValue<string>() == "cannot-walk-comfortably");
        var episode = listed[0]!["episodeId"]!.GetValue<Guid>();
        Assert.Equal($"{ApiHost.PublicUrl}/api/episodes/{episode}/alerts", listed[0]!["link"]!.GetValue<string>());
        Assert.NotEqual(Guid.Empty, listed[0]!["patientId"]!.GetValue<Guid>());
        await Task.Delay(500);
        Assert.Equal(2, _digests.Requests.Count);

        // The next day lists only what was raised since.
        var later = await RaiseOne(physio, new { canWalkComfortably = false }, "advice");
        Assert.Equal(day.AddDays(1), await NextDigestDay(physio));
        _clock.SetUtcNow(DailyDigest.DigestTime(day.AddDays(1), Settings));
        await _host.InvokeMessageAndWaitAsync(new SendDailyDigest(physio.Id, day.AddDays(1)), _clinic.Id.ToString());

        var second = JsonNode.Parse((await _digests.WaitFor(3))[2].Body)!;
        Assert.Equal("digest.daily", second["event"]!.GetValue<string>());
        Assert.Equal(PatientCalendar.Iso(day.AddDays(1)), second["day"]!.GetValue<string>());
        Assert.Equal(later, Assert.Single(second["alerts"]!.AsArray())!["id"]!.GetValue<Guid>());
        Assert.NotEqual(first["deliveryId"]!.GetValue<Guid>(), second["deliveryId"]!.GetValue<Guid>());

        // A day with nothing new sends nothing and the chain moves on.
        _clock.SetUtcNow(DailyDigest.DigestTime(day.AddDays(2), Settings));
        await _host.InvokeMessageAndWaitAsync(new SendDailyDigest(physio.Id, day.AddDays(2)), _clinic.Id.ToString());
        Assert.Equal(day.AddDays(3), await NextDigestDay(physio));
        await Task.Delay(300);
        Assert.Equal(3, _digests.Requests.Count);
        Assert.Equal(4, (await _everyAlert.WaitFor(4)).Count);
    }

    private static string Event(WebhookReceiver.Received received) => JsonNode.Parse(received.Body)!["event"]!.GetValue<string>();

    private async Task Subscribe(WebhookReceiver receiver, params string[] events) =>
        await (await _clinic.Admin().Post("/api/webhooks", new { url = receiver.Url, secret = "a-secret-the-clinic-shares-with-us", events }))
            .ShouldBe(HttpStatusCode.Created);

    /// <summary>A new patient of the physiotherapist whose first check-in raises one alert of the expected severity.</summary>
    private async Task<Guid> RaiseOne(TestUser physio, object answers, string severity)
    {
        var patient = _clinic.Patient();
        var today = PatientCalendar.DaysAgo(0, TestUser.Zone);
        var episode = await physio.OpenEpisode(onsetDate: today, patient: patient);
        var accepted = await (await patient.LogCheckIn(episode, TestUser.CheckIn(today, with: answers))).ShouldBe(HttpStatusCode.Created);
        var alert = Assert.Single(accepted["alerts"]!.AsArray())!;
        Assert.Equal(severity, alert["severity"]!.GetValue<string>());
        return alert["id"]!.GetValue<Guid>();
    }

    /// <summary>The chain is started by a message the first advice alert's transaction sent, so it may take a moment to appear.</summary>
    private async Task<DateOnly> NextDigestDay(TestUser physio)
    {
        var id = DigestChain.IdFor(_clinic.Id.ToString(), physio.Id);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var session = _host.Services.GetRequiredService<IDocumentStore>().QuerySession(_clinic.Id.ToString());
            if (await session.LoadAsync<DigestChain>(id) is { } chain) return chain.NextDay;
            await Task.Delay(100);
        }
        throw new TimeoutException("The digest chain never started.");
    }
}
