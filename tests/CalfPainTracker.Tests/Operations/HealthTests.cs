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
    public async Task The_openapi_document_describes_the_check_in_route_without_a_token()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_health", TimeProvider.System);

        var document = JsonNode.Parse(await host.Server.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        Assert.NotNull(document["paths"]!["/api/episodes/{episodeId}/check-ins"]);
    }
}
