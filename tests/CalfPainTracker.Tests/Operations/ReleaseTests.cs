using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Operations;

[Collection(nameof(ServiceProcesses))]
public sealed class ReleaseTests
{
    private const string Schema = "calfpain_release";

    [Fact]
    public async Task A_release_applies_the_schema_with_db_apply_and_nodes_that_do_not_apply_it_themselves_serve_check_ins()
    {
        var connectionString = await PostgresServer.ConnectionString;
        await using (var database = NpgsqlDataSource.Create(connectionString))
        {
            await using var drop = database.CreateCommand($"drop schema if exists {Schema} cascade");
            await drop.ExecuteNonQueryAsync(); // an empty database, as on a first release
        }

        await ApiProcess.Run(connectionString, Schema, "db-apply");
        await using var node = await ApiProcess.Start(connectionString, Schema, new Dictionary<string, string> { ["Marten:ApplySchemaOnStartup"] = "false" });

        var patient = new Caller(Guid.NewGuid(), Role.Patient, Guid.NewGuid());
        using var client = node.ClientFor(patient);
        var episode = await ApiProcess.OpenEpisode(client, onsetDate: PatientCalendar.DaysAgo(1, ApiProcess.Zone));
        var logged = await client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(PatientCalendar.DaysAgo(0, ApiProcess.Zone), pain: 4));

        await logged.ShouldBe(HttpStatusCode.Created);
        Assert.Equal(4, (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/episodes/{episode}"))!["latestCheckIn"]!["painLevel"]!.GetValue<int>());
    }
}
