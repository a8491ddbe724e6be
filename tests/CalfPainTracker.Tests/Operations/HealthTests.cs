using System.Net;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Operations;

public sealed class HealthTests
{
    [Fact]
    public async Task Readiness_turns_503_with_a_clear_message_while_the_database_is_unreachable_and_recovers_without_a_restart()
    {
        var database = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionString);
        await using var gate = new TcpGate(database.Port);
        database.Port = gate.Port;
        database.Host = "127.0.0.1";
        await using var host = await ApiHost.Start(database.ConnectionString, "calfpain_health", TimeProvider.System);
        var client = host.Server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        gate.Shut();
        NpgsqlConnection.ClearAllPools();
        var down = await client.GetAsync("/health/ready");
        var problem = JsonNode.Parse(await down.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.Contains("database does not answer", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Readiness_stays_200_while_the_trend_projection_lags_and_reports_the_lag_as_information()
    {
        const string schema = "calfpain_lag";
        var connectionString = await PostgresServer.ConnectionString;
        // A node without the async daemon, as when the node that ran it died and none took over:
        // every node sees the same lag, and none may leave the load balancer for it.
        await using var stalled = await ApiHost.Start(connectionString, schema, TimeProvider.System, builder =>
        {
            builder.UseSetting("Marten:DaemonMode", "Disabled");
            builder.UseSetting("Operations:MaxProjectionLag", "00:00:01");
        });
        var client = stalled.Server.CreateClient();
        var patient = new TestClinic(stalled).Patient();
        var episode = await patient.OpenEpisode(onsetDate: PatientCalendar.DaysAgo(1, TestUser.Zone));
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(PatientCalendar.DaysAgo(0, TestUser.Zone)))).ShouldBe(HttpStatusCode.Created);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var ready = await client.GetAsync("/health/ready");
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", body["checks"]!["messaging"]!["status"]!.GetValue<string>());
        var projections = body["checks"]!["projections"]!;
        Assert.Contains("EpisodeTrend:All is", projections["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(projections["data"]!["EpisodeTrend:All"]!["eventsBehind"]!.GetValue<long>() >= 2);
        Assert.True(projections["data"]!["EpisodeTrend:All"]!["secondsBehind"]!.GetValue<double>() >= 1);
        // The node still takes check-ins, which is what readiness promises.
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(PatientCalendar.DaysAgo(1, TestUser.Zone)))).ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_check_in_route_without_a_token()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_health", TimeProvider.System);

        var document = JsonNode.Parse(await host.Server.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        Assert.NotNull(document["paths"]!["/api/episodes/{episodeId}/check-ins"]);
    }
}
