using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Reliability;

[Collection(nameof(ServiceProcesses))]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task While_the_database_is_unreachable_a_check_in_gets_a_503_to_retry_and_the_retry_lands_once_when_it_is_back()
    {
        var database = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionString);
        await using var gate = new TcpGate(database.Port);
        database.Host = "127.0.0.1";
        database.Port = gate.Port;
        database.Timeout = 3;        // connecting: seconds before giving up
        database.CommandTimeout = 5; // a query on a connection that went away
        await using var host = await ApiHost.Start(database.ConnectionString, "calfpain_outage", TimeProvider.System);
        var clinic = new TestClinic(host);
        var patient = clinic.Patient();
        var today = PatientCalendar.Today(TestUser.Zone);
        var episode = await patient.OpenEpisode(onsetDate: PatientCalendar.Iso(today.AddDays(-3)));
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(PatientCalendar.Iso(today.AddDays(-1))))).ShouldBe(HttpStatusCode.Created);

        gate.Shut();
        NpgsqlConnection.ClearAllPools();
        var duringOutage = TestUser.CheckIn(PatientCalendar.Iso(today), pain: 5);
        var refused = await patient.LogCheckIn(episode, duringOutage);
        var problem = await refused.ShouldBeProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Nothing was saved", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await patient.Get("/health/ready")).StatusCode);

        gate.Open();
        await (await patient.LogCheckIn(episode, duringOutage)).ShouldBe(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await patient.Get("/health/ready")).StatusCode);

        await using var store = NpgsqlDataSource.Create(await PostgresServer.ConnectionString);
        await using var count = store.CreateCommand("select count(*) from calfpain_outage.mt_events where stream_id = $1 and type = 'check_in_logged'");
        count.Parameters.AddWithValue(episode);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_ten_second_database_outage_under_sustained_check_ins_answers_503s_loses_nothing_acknowledged_and_recovers_without_a_restart()
    {
        var database = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionString);
        await using var gate = new TcpGate(database.Port);
        database.Host = "127.0.0.1";
        database.Port = gate.Port;
        database.Timeout = 3;
        database.CommandTimeout = 5;
        await using var host = await ApiHost.Start(database.ConnectionString, "calfpain_outage_load", TimeProvider.System);
        var clinic = new TestClinic(host);
        var today = PatientCalendar.Today(TestUser.Zone);
        var patients = new List<(TestUser Patient, Guid Episode)>();
        for (var i = 0; i < 4; i++)
        {
            var patient = clinic.Patient();
            patients.Add((patient, await patient.OpenEpisode(onsetDate: PatientCalendar.Iso(today.AddDays(-60)))));
        }

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource();
        var senders = patients.Select((p, s) => Task.Run(async () =>
        {
            for (var day = 0; !stop.IsCancellationRequested && day < 60; day++)
            {
                var checkIn = TestUser.CheckIn(PatientCalendar.Iso(today.AddDays(-60 + day)), pain: 4);
                var response = await p.Patient.LogCheckIn(p.Episode, checkIn);
                answers.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.IsSuccessStatusCode) acknowledged.Add(checkIn["checkInId"]!.GetValue<Guid>());
                else Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                await Task.Delay(100);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        gate.Shut();
        NpgsqlConnection.ClearAllPools();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await patients[0].Patient.Get("/health/ready")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(10));
        gate.Open();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.Equal(HttpStatusCode.OK, (await patients[0].Patient.Get("/health/ready")).StatusCode);
        Assert.True(answers.GetValueOrDefault(503) > 0, $"The outage was not seen: {string.Join(", ", answers)}");
        Assert.True(answers.Keys.All(status => status is 201 or 503), $"Only 201 or 503 expected: {string.Join(", ", answers)}");
        await using var store = NpgsqlDataSource.Create(await PostgresServer.ConnectionString);
        await using var command = store.CreateCommand("select (data->'checkIn'->>'checkInId')::uuid, count(*) from calfpain_outage_load.mt_events where type = 'check_in_logged' group by 1");
        var stored = new Dictionary<Guid, long>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) stored[reader.GetGuid(0)] = reader.GetInt64(1);
        }
        Assert.All(acknowledged, id => Assert.Equal(1L, stored.GetValueOrDefault(id)));
    }

}
