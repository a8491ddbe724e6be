using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Http;
using CalfPainTracker.Notifications;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Time.Testing;
using Wolverine.Tracking;

namespace CalfPainTracker.Tests.Notifications;

/// <summary>
/// Reminders through a real push service on loopback that verifies the VAPID token and decrypts
/// each message with keys only the "browser" holds; nothing in the sending is replaced.
/// </summary>
public sealed class WebPushTests : IAsyncLifetime
{
    /// <summary>09:00 in London: the day's reminder (20:00) is still to come.</summary>
    private static readonly DateOnly Day = new(2026, 11, 2);

    private readonly FakeTimeProvider _clock = ApiHost.TestClock();
    private Alba.IAlbaHost _host = null!;
    private PushServiceReceiver _push = null!;
    private TestClinic _clinic = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_push", _clock, builder =>
        {
            builder.UseSetting("Notifications:AllowPrivateAddresses", "true");
            builder.UseSetting("Notifications:RetryBaseDelay", "00:00:00.100");
        });
        _push = await PushServiceReceiver.Start();
        _clinic = new TestClinic(_host);
    }

    public async ValueTask DisposeAsync()
    {
        await _push.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_subscribed_patient_without_a_check_in_gets_one_encrypted_reminder_that_names_the_day()
    {
        var (patient, episode) = await PatientWithEpisode();
        var publicKey = (await Anonymous().GetFromJsonAsync<JsonNode>("/api/push/public-key"))!["publicKey"]!.GetValue<string>();
        Assert.Equal(65, Base64Url.DecodeFromChars(publicKey).Length);
        var subscriber = _push.NewSubscriber();
        var created = await (await patient.Post("/api/me/push-subscriptions", subscriber.Json)).ShouldBe(HttpStatusCode.Created);
        var again = await (await patient.Post("/api/me/push-subscriptions", subscriber.Json)).ShouldBe(HttpStatusCode.Created);
        Assert.Equal(created["id"]!.GetValue<Guid>(), again["id"]!.GetValue<Guid>());

        // The durable scheduled message comes due (twice, as a redelivery after a crash would).
        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, Day), _clinic.Id.ToString());
        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, Day), _clinic.Id.ToString());

        var received = Assert.Single(await _push.WaitFor(1));
        Assert.Equal(subscriber.Endpoint, received.Endpoint);
        Assert.Equal(publicKey, received.ServerKey);
        Assert.Equal(ApiHost.PublicUrl, received.Claims["sub"]!.GetValue<string>());
        Assert.Equal("2026-11-02", received.Message["day"]!.GetValue<string>());
        Assert.Equal("checkin-reminder-2026-11-02", received.Message["tag"]!.GetValue<string>());
        Assert.Equal("/app", received.Message["url"]!.GetValue<string>());
        Assert.Equal("Time for today's check-in", received.Message["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(received.Message["body"]!.GetValue<string>()));
        Assert.Equal("43200", received.Headers["TTL"]);
        await Task.Delay(300);
        Assert.Single(_push.Messages);
    }

    [Fact]
    public async Task A_check_in_before_the_reminder_time_sends_no_push()
    {
        var (patient, episode) = await PatientWithEpisode();
        await (await patient.Post("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-02"))).ShouldBe(HttpStatusCode.Created);

        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, Day), _clinic.Id.ToString());

        await Task.Delay(500);
        Assert.Equal(0, _push.Requests);
    }

    [Fact]
    public async Task A_410_from_the_push_service_removes_the_subscription()
    {
        var (patient, episode) = await PatientWithEpisode();
        await (await patient.Post("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);
        Assert.Single((await patient.GetJson("/api/me/push-subscriptions")).AsArray());
        _push.AnswerNext(410);

        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, Day), _clinic.Id.ToString());

        Assert.Single(await _push.WaitFor(1));
        await Eventually(async () => (await patient.GetJson("/api/me/push-subscriptions")).AsArray().Count == 0);
    }

    [Fact]
    public async Task A_push_service_that_is_busy_twice_gets_the_same_message_again_and_the_subscription_stays()
    {
        var (patient, episode) = await PatientWithEpisode();
        await (await patient.Post("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);
        _push.AnswerNext(503, 429);

        await _host.InvokeMessageAndWaitAsync(new RemindToCheckIn(episode, Day), _clinic.Id.ToString());

        var received = await _push.WaitFor(3);
        Assert.Equal([503, 429, 201], received.Select(r => r.Answered));
        Assert.Single(received.Select(r => r.Message.ToJsonString()).Distinct());
        Assert.Single((await patient.GetJson("/api/me/push-subscriptions")).AsArray());
    }

    [Fact]
    public async Task Signing_the_phone_out_removes_the_subscriptions_it_made_and_a_patient_lists_and_deletes_their_own()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, onsetDate: "2026-10-30");
        var invitation = await (await physio.Post($"/api/episodes/{episode}/invitations", new { })).ShouldBe(HttpStatusCode.Created);
        var tokens = await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = invitation["code"]!.GetValue<string>() }))
            .ShouldBe(HttpStatusCode.Created);
        var phone = Anonymous();
        phone.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens["accessToken"]!.GetValue<string>());

        await (await phone.PostAsJsonAsync("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);
        var other = await (await patient.Post("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);
        var listed = (await patient.GetJson("/api/me/push-subscriptions")).AsArray();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, s => Assert.Equal(_push.Origin, s!["origin"]!.GetValue<string>()));
        // Another patient of the clinic sees none of them, and cannot delete one.
        Assert.Empty((await _clinic.Patient().GetJson("/api/me/push-subscriptions")).AsArray());
        await (await _clinic.Patient().Client().DeleteAsync($"/api/me/push-subscriptions/{other["id"]}")).ShouldBeProblem(HttpStatusCode.NotFound);

        await (await patient.Client().DeleteAsync($"/api/me/devices/{tokens["deviceId"]}")).ShouldBe(HttpStatusCode.NoContent);
        var left = Assert.Single((await patient.GetJson("/api/me/push-subscriptions")).AsArray());
        Assert.Equal(other["id"]!.GetValue<Guid>(), left!["id"]!.GetValue<Guid>());

        await (await patient.Client().DeleteAsync($"/api/me/push-subscriptions/{other["id"]}")).ShouldBe(HttpStatusCode.NoContent);
        Assert.Empty((await patient.GetJson("/api/me/push-subscriptions")).AsArray());
    }

    [Fact]
    public async Task Erasing_the_patients_data_removes_their_subscriptions()
    {
        var (patient, _) = await PatientWithEpisode();
        await (await patient.Post("/api/me/push-subscriptions", _push.NewSubscriber().Json)).ShouldBe(HttpStatusCode.Created);

        await (await patient.Client().DeleteAsync("/api/me")).ShouldBe(HttpStatusCode.OK);

        Assert.Empty((await patient.GetJson("/api/me/push-subscriptions")).AsArray());
    }

    [Fact]
    public async Task A_subscription_with_bad_fields_is_a_400_naming_each_of_them()
    {
        var patient = _clinic.Patient();
        var problem = await (await patient.Post("/api/me/push-subscriptions", new
        {
            endpoint = "ftp://push.example.org/x",
            keys = new { p256dh = Base64Url.EncodeToString(new byte[65]), auth = "not base64url!" },
            expirationTime = 1000,
        })).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]!["endpoint"]);
        Assert.NotNull(problem["errors"]!["keys.p256dh"]);
        Assert.NotNull(problem["errors"]!["keys.auth"]);
        Assert.NotNull(problem["errors"]!["expirationTime"]);
        await (await patient.Post("/api/me/push-subscriptions", new { })).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("https://127.0.0.1/push/1")]
    [InlineData("https://10.1.2.3/push/1")]
    [InlineData("https://[::1]/push/1")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("http://push.example.org/push/1")]
    public async Task A_subscription_to_a_private_address_or_over_http_is_refused_when_private_addresses_are_not_allowed(string endpoint)
    {
        using var browser = _push.NewSubscriber();
        var request = new SubscribeToPushRequest(endpoint, new PushSubscriptionKeys(browser.P256dh, browser.Auth), null);
        var errors = new FieldErrors();

        var valid = await PushSubscriptionEndpoints.Check(request, new NotificationSettings { AllowPrivateAddresses = false }, _clock.GetUtcNow(), errors, TestContext.Current.CancellationToken);

        Assert.Null(valid);
        Assert.True(errors.Any);
        Assert.NotNull(await PushSubscriptionEndpoints.Check(request with { Endpoint = browser.Endpoint }, new NotificationSettings { AllowPrivateAddresses = true },
            _clock.GetUtcNow(), new FieldErrors(), TestContext.Current.CancellationToken));
    }

    private HttpClient Anonymous() => _host.Server.CreateClient();

    private async Task<(TestUser Patient, Guid Episode)> PatientWithEpisode()
    {
        var patient = _clinic.Patient();
        return (patient, await patient.OpenEpisode(onsetDate: "2026-10-30"));
    }

    private static async Task Eventually(Func<Task<bool>> done)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await done()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The condition never became true.");
    }
}
