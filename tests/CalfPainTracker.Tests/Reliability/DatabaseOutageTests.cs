using System.Globalization;
using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Reliability;

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
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var episode = await patient.OpenEpisode(onsetDate: Day(today.AddDays(-3)));
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(Day(today.AddDays(-1))))).ShouldBe(HttpStatusCode.Created);

        gate.Shut();
        NpgsqlConnection.ClearAllPools();
        var duringOutage = TestUser.CheckIn(Day(today), pain: 5);
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

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
