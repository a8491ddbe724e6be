using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Reliability;

/// <summary>
/// Two service processes on one database, as behind a load balancer: both take check-ins; the
/// node running the async projections is killed and the other takes them over (Wolverine moves
/// the projection agent off a node whose heartbeats stop);
/// escalations scheduled on either node fire exactly once.
/// </summary>
[Collection(nameof(ServiceProcesses))]
public sealed class TwoNodeTests
{
    private const string Schema = "calfpain_two_nodes";

    [Fact]
    public async Task Whichever_node_dies_the_other_keeps_the_projections_running_and_escalations_fire_once()
    {
        var connectionString = await PostgresServer.ConnectionString;
        var today = PatientCalendar.Today(ApiProcess.Zone);
        var clinic = Guid.NewGuid();
        var settings = new Dictionary<string, string>
        {
            ["ClinicalRules:EscalateAfter"] = "00:00:02",
            ["Wolverine:NodeHeartbeat"] = "00:00:01",
            ["Wolverine:StaleNodeTimeout"] = "00:00:05",
        };
        var nodes = new[]
        {
            await ApiProcess.Start(Named(connectionString, "node-a"), Schema, settings),
            await ApiProcess.Start(Named(connectionString, "node-b"), Schema, settings),
        };
        try
        {
            // Both nodes take check-ins; urgent alerts raised through each schedule an escalation.
            var episodes = new List<(Caller Patient, Guid Episode)>();
            for (var i = 0; i < 4; i++)
            {
                var patient = new Caller(Guid.NewGuid(), Role.Patient, clinic);
                using var client = nodes[i % 2].ClientFor(patient);
                var episode = await ApiProcess.OpenEpisode(client, PatientCalendar.Iso(today.AddDays(-5)), "achilles-rupture");
                await (await client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins",
                    TestUser.CheckIn(PatientCalendar.Iso(today.AddDays(-4)), pain: 6, with: new { symptoms = new[] { "cannot-stand-on-tiptoe" } }), TestUser.Json)).ShouldBe(HttpStatusCode.Created);
                episodes.Add((patient, episode));
            }

            // Kill one node, then the other (restarting the first): one of the two kills takes
            // down the node holding the projection lock, whichever it is.
            for (var round = 0; round < 2; round++)
            {
                nodes[round].Kill();
                var survivor = nodes[1 - round];
                foreach (var (patient, episode) in episodes)
                {
                    using var client = survivor.ClientFor(patient);
                    await (await client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(PatientCalendar.Iso(today.AddDays(-3 + round)), pain: 5), TestUser.Json)).ShouldBe(HttpStatusCode.Created);
                }
                foreach (var (patient, episode) in episodes)
                {
                    await TrendCaughtUp(survivor, patient, episode, days: 2 + round);
                }
                await nodes[round].DisposeAsync();
                nodes[round] = await ApiProcess.Start(Named(connectionString, round == 0 ? "node-a" : "node-b"), Schema, settings);
            }

            // Every urgent alert escalated exactly once, whichever node scheduled or ran it.
            for (var attempt = 0; attempt < 120 && (await Escalations(connectionString, clinic)).Count < episodes.Count; attempt++) await Task.Delay(500);
            var escalations = await Escalations(connectionString, clinic);
            Assert.Equal(episodes.Select(e => e.Episode).Order(), escalations.Keys.Order());
            Assert.All(escalations.Values, n => Assert.Equal(1L, n));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static async Task TrendCaughtUp(ApiProcess node, Caller patient, Guid episode, int days)
    {
        using var client = node.ClientFor(patient);
        JsonNode trend = new JsonObject();
        // Up to 4 minutes (the takeover itself needs about 6 s; CI machines are slow).
        for (var attempt = 0; attempt < 480; attempt++)
        {
            trend = await (await client.GetAsync($"/api/episodes/{episode}/trend")).ShouldBe(HttpStatusCode.OK);
            if (trend["eventsBehind"]!.GetValue<long>() == 0 && trend["days"]!.AsArray().Count == days) return;
            await Task.Delay(500);
        }
        Assert.Fail($"The trend of {episode} did not catch up on the surviving node: {trend}");
    }

    private static string Named(string connectionString, string node) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = node }.ConnectionString;

    /// <summary>The clinic's escalations: a kept database holds earlier runs' too.</summary>
    private static async Task<Dictionary<Guid, long>> Escalations(string connectionString, Guid clinic)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand($"select stream_id, count(*) from {Schema}.mt_events where type = 'alert_escalated_to_clinic' and tenant_id = $1 group by 1");
        command.Parameters.AddWithValue(clinic.ToString());
        var counts = new Dictionary<Guid, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetGuid(0)] = reader.GetInt64(1);
        return counts;
    }
}
