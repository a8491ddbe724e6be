using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Reliability;

/// <summary>
/// kill -9 the service at random moments while patients check in. Every check-in that got a
/// 2xx must be in the event store exactly once, and the episode read models must agree with
/// the events. The suite runs 3 kills; scripts/chaos sets CALFPAIN_CHAOS_KILLS for the full run.
/// </summary>
[Collection(nameof(ServiceProcesses))]
public sealed class CrashTests
{
    private const string Schema = "calfpain_crash";
    private const int Patients = 16;
    private const int Senders = 4;

    public sealed record Results(int Kills, int Sent, int Acknowledged, int Lost, int Duplicates, int Refused, int ServerErrors, long AlertsRaised, int AlertsDelivered, int DeliveryRequests);

    [Fact]
    public async Task Check_ins_acknowledged_before_a_kill_9_are_all_in_the_event_store_exactly_once()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("CALFPAIN_CHAOS_KILLS"), out var k) ? k : 3;
        var connectionString = await PostgresServer.ConnectionString;
        var settings = new Dictionary<string, string>
        {
            ["Wolverine:DurabilityMode"] = "Solo",
            ["Security:WritesPerMinutePerUser"] = "100000",
            ["Notifications:AllowPrivateAddresses"] = "true",
            ["Notifications:RetryBaseDelay"] = "00:00:00.500",
        };
        await using var receiver = await WebhookReceiver.Start();
        var clinic = Guid.NewGuid();
        var start = PatientCalendar.Today(ApiProcess.Zone).AddDays(-60);
        var patients = Enumerable.Range(0, Patients).Select(_ => new Caller(Guid.NewGuid(), Role.Patient, clinic)).ToList();
        var episodes = new Dictionary<Guid, Guid>();
        var acknowledged = new ConcurrentDictionary<Guid, Guid>(); // check-in id -> episode
        int sent = 0, refused = 0, serverErrors = 0;
        var random = new Random(42);

        var api = await ApiProcess.Start(connectionString, Schema, settings);
        try
        {
            using (var admin = api.ClientFor(new Caller(Guid.NewGuid(), Role.ClinicAdmin, clinic)))
            {
                await (await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, secret = "crash-test-secret-0123456789", events = new[] { "alert.raised" } })).ShouldBe(HttpStatusCode.Created);
            }
            foreach (var patient in patients)
            {
                using var client = api.ClientFor(patient);
                episodes[patient.UserId] = await ApiProcess.OpenEpisode(client, PatientCalendar.Iso(start));
            }

            for (var kill = 0; kill < kills; kill++)
            {
                using var stop = new CancellationTokenSource();
                var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
                {
                    var mine = new Random(kill * 100 + s);
                    while (!stop.IsCancellationRequested)
                    {
                        var patient = patients[mine.Next(Patients)];
                        // Some check-ins raise alerts, so deliveries are in flight when the service dies.
                        var checkIn = TestUser.CheckIn(PatientCalendar.Iso(start.AddDays(mine.Next(60))), mine.Next(11),
                            new { painAtNight = mine.Next(4) == 0, canWalkComfortably = mine.Next(5) != 0, swelling = mine.Next(6) == 0 ? "mild" : "none" });
                        var id = checkIn["checkInId"]!.GetValue<Guid>();
                        Interlocked.Increment(ref sent);
                        try
                        {
                            using var client = api.ClientFor(patient);
                            using var response = await client.PostAsJsonAsync($"/api/episodes/{episodes[patient.UserId]}/check-ins", checkIn, TestUser.Json);
                            if (response.IsSuccessStatusCode) acknowledged[id] = episodes[patient.UserId];
                            else if ((int)response.StatusCode >= 500) Interlocked.Increment(ref serverErrors);
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                        {
                            // The service died under this request: not acknowledged, so the patient's app would retry.
                            Interlocked.Increment(ref refused);
                            await Task.Delay(50);
                        }
                    }
                })).ToList();

                // Kill at a random moment, but only once this round has had some check-ins acknowledged.
                var before = acknowledged.Count;
                await Task.Delay(random.Next(400, 1500));
                for (var wait = 0; wait < 300 && acknowledged.Count < before + 3; wait++) await Task.Delay(100);
                api.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(senders);
                await api.DisposeAsync();
                api = await ApiProcess.Start(connectionString, Schema, settings);
            }

            // Every alert raised before, between and after the kills reaches the receiver.
            var raised = await AlertsRaised(connectionString, clinic);
            for (var wait = 0; wait < 600 && receiver.Requests.Select(r => r.Delivery).Distinct().Count() < raised; wait++) await Task.Delay(100);
            Assert.True(raised > 0, "No alert was raised: the experiment did not test deliveries.");
            Assert.Equal(raised, receiver.Requests.Select(r => r.Delivery).Distinct().Count());
        }
        finally
        {
            await api.DisposeAsync();
        }

        var stored = await StoredCheckInIds(connectionString, clinic);
        var lost = acknowledged.Keys.Count(id => !stored.ContainsKey(id));
        var duplicates = stored.Values.Count(n => n > 1);
        var results = new Results(kills, sent, acknowledged.Count, lost, duplicates, refused, serverErrors,
            await AlertsRaised(connectionString, clinic), receiver.Requests.Select(r => r.Delivery).Distinct().Count(), receiver.Requests.Count);
        Directory.CreateDirectory(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "crash-results.json"), JsonSerializer.Serialize(results));

        Assert.False(acknowledged.IsEmpty, "No check-in was acknowledged: the experiment did not run.");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicates);
        await ReadModelsAgreeWithEvents(connectionString, clinic);
    }

    // Every query is about this run's clinic: a kept database holds earlier runs' events too.
    private static async Task<long> AlertsRaised(string connectionString, Guid clinic)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand($"select count(*) from {Schema}.mt_events where type = 'alert_raised' and tenant_id = $1");
        command.Parameters.AddWithValue(clinic.ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<Guid, int>> StoredCheckInIds(string connectionString, Guid clinic)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand(
            $"select (data->'checkIn'->>'checkInId')::uuid, count(*) from {Schema}.mt_events where type in ('check_in_logged', 'check_in_corrected') and tenant_id = $1 group by 1");
        command.Parameters.AddWithValue(clinic.ToString());
        var stored = new Dictionary<Guid, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) stored[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        return stored;
    }

    /// <summary>The inline episode documents hold exactly the days the events hold (one entry a day in their pain column).</summary>
    private static async Task ReadModelsAgreeWithEvents(string connectionString, Guid clinic)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand(
            $"select d.id, jsonb_array_length(d.data->'days'->'pain'), (select count(distinct e.data->'checkIn'->>'day') from {Schema}.mt_events e " +
            $"where e.stream_id = d.id and e.type in ('check_in_logged', 'check_in_corrected')) from {Schema}.mt_doc_episode d where d.tenant_id = $1");
        command.Parameters.AddWithValue(clinic.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.True(reader.GetInt32(1) == reader.GetInt64(2), $"Episode {reader.GetGuid(0)}: the read model has {reader.GetInt32(1)} days, the events {reader.GetInt64(2)}.");
        }
    }
}
