using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Notifications;

[Collection(nameof(ServiceProcesses))]
public sealed class OutboxCrashTests
{
    private const string Schema = "calfpain_outbox_crash";

    [Fact]
    public async Task A_service_killed_after_the_check_in_commits_but_before_the_webhook_arrives_delivers_it_after_restart_exactly_once()
    {
        var connectionString = await PostgresServer.ConnectionString;
        var settings = new Dictionary<string, string>
        {
            ["Notifications:AllowPrivateAddresses"] = "true",
            // The first attempt fails (nobody listens yet) and the retry waits in PostgreSQL long enough to kill the service.
            ["Notifications:RetryBaseDelay"] = "00:00:03",
            ["Wolverine:DurabilityMode"] = "Solo",
        };
        var receiverPort = PostgresServer.FreePort();
        var clinic = Guid.NewGuid();
        var patient = new Caller(Guid.NewGuid(), Role.Patient, clinic);
        var admin = new Caller(Guid.NewGuid(), Role.ClinicAdmin, clinic);
        var today = PatientCalendar.DaysAgo(0, ApiProcess.Zone);
        Guid episode;

        await using (var first = await ApiProcess.Start(connectionString, Schema, settings))
        {
            using var asAdmin = first.ClientFor(admin);
            await (await asAdmin.PostAsJsonAsync("/api/webhooks", new { url = $"http://127.0.0.1:{receiverPort}/hooks/calfpain", secret = "0123456789abcdef-secret", events = new[] { "alert.raised" } })).ShouldBe(HttpStatusCode.Created);
            using var asPatient = first.ClientFor(patient);
            episode = await ApiProcess.OpenEpisode(asPatient, today, side: "right");
            await (await asPatient.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(today, pain: 6, with: new { symptoms = new[] { "coughing-blood" } }), TestUser.Json)).ShouldBe(HttpStatusCode.Created);
            first.Kill();
        }

        await using var receiver = await WebhookReceiver.Start(receiverPort);
        await using var second = await ApiProcess.Start(connectionString, Schema, settings);
        var received = await receiver.WaitFor(1, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Single(received.Select(r => r.Delivery).Distinct());
        await using var database = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand($"select type, count(*) from {Schema}.mt_events where stream_id = $1 group by type");
        command.Parameters.AddWithValue(episode);
        var counts = new Dictionary<string, long>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        Assert.Equal(1, counts["check_in_logged"]);
        Assert.Equal(1, counts["alert_raised"]);
    }
}
