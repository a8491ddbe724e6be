using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CalfPainTracker.Notifications;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Tracking;

namespace CalfPainTracker.Tests.Notifications;

/// <summary>Deliveries to real HTTP receivers on loopback, with retries fast enough for a test.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private Alba.IAlbaHost _host = null!;
    private WebhookReceiver _receiver = null!;
    private TestClinic _clinic = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_webhooks", TimeProvider.System, builder =>
        {
            builder.UseSetting("Notifications:AllowPrivateAddresses", "true");
            builder.UseSetting("Notifications:RetryBaseDelay", "00:00:00.100");
        });
        _receiver = await WebhookReceiver.Start();
        _clinic = new TestClinic(_host);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    private const string Secret = "a-secret-the-clinic-shares-with-us";

    [Fact]
    public async Task An_emergency_reaches_the_clinics_webhook_once_signed_with_the_documented_recipe()
    {
        var webhook = await Subscribe("alert.raised");
        var (patient, episode) = await PatientWithEpisode();

        await patient.LogCheckIn(episode, TestUser.CheckIn(Today, pain: 7, with: new { symptoms = new[] { "chest-pain" } }));

        var received = Assert.Single(await _receiver.WaitFor(1));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(received.Timestamp + "." + received.Body)));
        Assert.Equal(expected, received.Signature);
        Assert.InRange(long.Parse(received.Timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("alert.raised", payload["event"]!.GetValue<string>());
        Assert.Equal(episode, payload["episodeId"]!.GetValue<Guid>());
        Assert.Equal(patient.Id, payload["patientId"]!.GetValue<Guid>());
        Assert.Equal("possible-clot-in-lungs", payload["alert"]!["rule"]!.GetValue<string>());
        Assert.Equal(received.Delivery, payload["deliveryId"]!.GetValue<Guid>().ToString());
        Assert.Equal($"{ApiHost.PublicUrl}/api/episodes/{episode}/alerts", payload["link"]!.GetValue<string>());
        await Task.Delay(500);
        Assert.Single(_receiver.Requests);
        var deliveries = await _clinic.Admin().GetJson($"/api/webhooks/{webhook}/deliveries");
        Assert.Equal("delivered", deliveries["deliveries"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_then_succeeds_gets_the_alert_with_three_attempts_and_one_delivery_id()
    {
        var webhook = await Subscribe("alert.raised");
        var (patient, episode) = await PatientWithEpisode();
        _receiver.AnswerNext(503, 500);

        await patient.LogCheckIn(episode, TestUser.CheckIn(Today, with: new { symptoms = new[] { "cannot-stand-on-tiptoe" } }));

        var received = await _receiver.WaitFor(3);
        Assert.Equal(3, received.Count);
        Assert.Single(received.Select(r => r.Delivery).Distinct());
        var delivery = await WaitForDelivery(webhook, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(3, delivery["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_4xx_is_not_retried_the_delivery_is_dead_lettered_with_its_error_and_a_replay_delivers_it()
    {
        var webhook = await Subscribe("alert.raised");
        var (patient, episode) = await PatientWithEpisode();
        _receiver.AnswerNext(410);

        await patient.LogCheckIn(episode, TestUser.CheckIn(Today, with: new { canWalkComfortably = false }));

        var failed = await WaitForDelivery(webhook, d => d["status"]!.GetValue<string>() == "dead-lettered");
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.Equal(410, failed["lastStatusCode"]!.GetValue<int>());
        Assert.Contains("410", failed["lastError"]!.GetValue<string>(), StringComparison.Ordinal);

        var deliveryId = failed["id"]!.GetValue<Guid>();
        await (await _clinic.Admin().Post($"/api/webhooks/{webhook}/deliveries/{deliveryId}/replay", new { })).ShouldBe(HttpStatusCode.Accepted);
        await WaitForDelivery(webhook, d => d["status"]!.GetValue<string>() == "delivered");
        var received = await _receiver.WaitFor(2);
        Assert.Equal(received[0].Delivery, received[1].Delivery);
    }

    [Fact]
    public async Task A_patient_without_a_check_in_by_the_evening_gets_one_reminder_for_the_day()
    {
        await Subscribe("checkin.reminder");
        var (_, episode) = await PatientWithEpisode();
        // Opening the episode started the chain at the next 20:00 in the patient's zone.
        await using var session = _host.Services.GetRequiredService<IDocumentStore>().QuerySession(_clinic.Id.ToString());
        var day = (await session.LoadAsync<ReminderChain>(episode))!.NextDay;

        // The durable scheduled message comes due (twice, as a redelivery after a crash would).
        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, day), _clinic.Id.ToString());
        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, day), _clinic.Id.ToString());

        var reminder = Assert.Single(await _receiver.WaitFor(1));
        Assert.Equal("checkin.reminder", JsonNode.Parse(reminder.Body)!["event"]!.GetValue<string>());
        await Task.Delay(300);
        Assert.Single(_receiver.Requests);
        Assert.Equal(1, (await _clinic.Admin().GetJson($"/api/episodes/{episode}"))["remindersSent"]!.GetValue<int>());
    }

    [Fact]
    public async Task When_an_open_alert_rises_from_advice_to_urgent_the_clinic_is_told_with_the_alert_as_it_now_stands()
    {
        var webhook = await Subscribe("alert.severity-raised");
        var (patient, episode) = await PatientWithEpisode();

        await (await patient.LogCheckIn(episode, TestUser.CheckIn(Today, with: new { symptoms = new[] { "fever" } }))).ShouldBe(HttpStatusCode.Created);
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(Today, with: new { symptoms = new[] { "fever", "redness" } }))).ShouldBe(HttpStatusCode.Created);

        var received = Assert.Single(await _receiver.WaitFor(1));
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("alert.severity-raised", payload["event"]!.GetValue<string>());
        Assert.Equal("infection", payload["alert"]!["rule"]!.GetValue<string>());
        Assert.Equal("urgent", payload["alert"]!["severity"]!.GetValue<string>());
        await WaitForDelivery(webhook, d => d["status"]!.GetValue<string>() == "delivered");
    }

    [Fact]
    public async Task A_webhook_needs_a_url_a_long_enough_secret_and_known_events_and_never_shows_its_secret()
    {
        var admin = _clinic.Admin();

        var problem = await (await admin.Post("/api/webhooks", new { url = "ftp://example.org/x", secret = "short", events = new[] { "alert.raised", "tea.time" } }))
            .ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["url"]);
        Assert.NotNull(problem["errors"]!["secret"]);
        Assert.NotNull(problem["errors"]!["events[1]"]);

        await Subscribe("alert.raised");
        var listed = await admin.GetJson("/api/webhooks");
        Assert.DoesNotContain(Secret, listed.ToJsonString(), StringComparison.Ordinal);
    }

    private static string Today => PatientCalendar.DaysAgo(0, TestUser.Zone);

    private async Task<Guid> Subscribe(params string[] events)
    {
        var created = await (await _clinic.Admin().Post("/api/webhooks", new { url = _receiver.Url, secret = Secret, events })).ShouldBe(HttpStatusCode.Created);
        return created["id"]!.GetValue<Guid>();
    }

    private async Task<(TestUser Patient, Guid Episode)> PatientWithEpisode()
    {
        var patient = _clinic.Patient();
        return (patient, await patient.OpenEpisode(onsetDate: Today));
    }

    private async Task<JsonNode> WaitForDelivery(Guid webhook, Func<JsonNode, bool> done)
    {
        var admin = _clinic.Admin();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var deliveries = (await admin.GetJson($"/api/webhooks/{webhook}/deliveries"))["deliveries"]!.AsArray();
            if (deliveries.FirstOrDefault(d => done(d!)) is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The delivery never reached the expected state.");
    }
}
