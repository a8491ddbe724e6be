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
    public async Task Readiness_turns_503_while_the_trend_projection_lags_beyond_the_bound_and_green_once_a_daemon_catches_up()
    {
        const string schema = "calfpain_lag";
        var connectionString = await PostgresServer.ConnectionString;
        // A node without the async daemon, as when the node that ran it died and none took over.
        await using var stalled = await ApiHost.Start(connectionString, schema, TimeProvider.System, builder =>
        {
            builder.UseSetting("Marten:DaemonMode", "Disabled");
            builder.UseSetting("Operations:MaxProjectionLag", "00:00:01");
        });
        var client = stalled.Server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var patient = new TestClinic(stalled).Patient();
        var episode = await patient.OpenEpisode(onsetDate: PatientCalendar.DaysAgo(1, TestUser.Zone));
        await (await patient.LogCheckIn(episode, TestUser.CheckIn(PatientCalendar.DaysAgo(0, TestUser.Zone)))).ShouldBe(HttpStatusCode.Created);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var late = await client.GetAsync("/health/ready");
        var problem = JsonNode.Parse(await late.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, late.StatusCode);
        Assert.Equal("unhealthy", problem["checks"]!["projections"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", problem["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Contains("EpisodeTrend:All is 2 events", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // A node with the daemon joins; the projection catches up and readiness is green again.
        await using var daemon = await ApiHost.Start(connectionString, schema, TimeProvider.System);
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 60 && ready != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(250);
            ready = (await client.GetAsync("/health/ready")).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, ready);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_check_in_route_without_a_token()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_health", TimeProvider.System);

        var document = JsonNode.Parse(await host.Server.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        Assert.NotNull(document["paths"]!["/api/episodes/{episodeId}/check-ins"]);
    }
}
