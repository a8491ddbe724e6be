using System.Net;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CalfPainTracker.Tests.Operations;

/// <summary>
/// A large clinic moved onto a database of its own by configuration, beside the shared database
/// where every other clinic stays: its records are written there and nowhere else, and check-ins,
/// rules, trends, escalations and share links work the same for both.
/// </summary>
public sealed class ClinicDatabaseTests
{
    private const string Schema = "calfpain_clinic_databases";
    private const string NorthDatabase = "calfpain_clinic_north";
    private const string RebuiltNorthDatabase = "calfpain_clinic_north_rebuilt";

    [Fact]
    public async Task A_clinic_on_its_own_database_keeps_its_records_there_and_works_like_a_clinic_on_the_shared_one()
    {
        var shared = await PostgresServer.ConnectionString;
        var north = await FreshDatabase(shared, NorthDatabase);
        var northClinic = Guid.NewGuid();
        await using var host = await ApiHost.Start(shared, Schema, TimeProvider.System, builder =>
        {
            builder.UseSetting("Marten:ClinicDatabases:0:Id", "north");
            builder.UseSetting("Marten:ClinicDatabases:0:ConnectionString", north);
            builder.UseSetting("Marten:ClinicDatabases:0:Clinics:0", northClinic.ToString());
            builder.UseSetting("ClinicalRules:EscalateAfter", "00:00:01");
        });
        var clinics = new[] { new TestClinic(host) { Id = northClinic }, new TestClinic(host) };
        var today = PatientCalendar.DaysAgo(0, TestUser.Zone);

        var episodes = new List<Guid>();
        foreach (var clinic in clinics)
        {
            var patient = clinic.Patient();
            var episode = await patient.OpenEpisode(onsetDate: today);
            var accepted = await (await patient.LogCheckIn(episode, TestUser.CheckIn(today, pain: 6, with: new { symptoms = new[] { "cannot-stand-on-tiptoe" } }))).ShouldBe(HttpStatusCode.Created);
            Assert.Equal("possible-rupture", accepted["alerts"]![0]!["rule"]!.GetValue<string>());
            await TrendCaughtUp(patient, episode);

            // A share link made in the clinic's database opens without signing in.
            var link = await (await patient.Post($"/api/episodes/{episode}/report-links", new { expiresInDays = 7 })).ShouldBe(HttpStatusCode.Created);
            var opened = await host.Server.CreateClient().GetAsync($"/r/{link["url"]!.GetValue<string>().Split("/r/")[1]}");
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            episodes.Add(episode);
        }

        // Each clinic's events are in its own database only.
        var ours = clinics.Select(c => c.Id.ToString()).ToArray();
        Assert.Equal([northClinic.ToString()], await Clinics(north, ours));
        Assert.Equal([clinics[1].Id.ToString()], await Clinics(shared, ours));

        // The urgent alert's escalation, a durable scheduled message, fired in each database once.
        Assert.Equal(1, await Escalations(north, episodes[0]));
        Assert.Equal(1, await Escalations(shared, episodes[1]));

        var ready = JsonNode.Parse(await host.Server.CreateClient().GetStringAsync("/health/ready"))!;
        Assert.Equal("All 2 databases answer.", ready["checks"]!["database"]!["description"]!.GetValue<string>());

        // Both databases compress the documents the service writes with lz4...
        foreach (var database in await host.Services.GetRequiredService<IDocumentStore>().Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync();
            await using var setting = new NpgsqlCommand("show default_toast_compression", connection);
            Assert.Equal("lz4", await setting.ExecuteScalarAsync());

            // ...and prepare the statements they repeat, so that a pooled connection's reset keeps PostgreSQL's plans.
            await using var repeated = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement like '%-- repeated%' -- repeated", connection);
            Assert.Equal(0L, await repeated.ExecuteScalarAsync());
            for (var i = 0; i < 5; i++) await repeated.ExecuteScalarAsync();
            Assert.Equal(1L, await repeated.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task A_rebuild_of_every_read_model_rebuilds_each_clinic_in_its_own_database()
    {
        var shared = await PostgresServer.ConnectionString;
        var north = await FreshDatabase(shared, RebuiltNorthDatabase);
        var northClinic = Guid.NewGuid();
        var settings = new Dictionary<string, string>
        {
            ["Marten:ClinicDatabases:0:Id"] = "north",
            ["Marten:ClinicDatabases:0:ConnectionString"] = north,
            ["Marten:ClinicDatabases:0:Clinics:0"] = northClinic.ToString(),
        };
        var clinics = new List<string>();
        await using (var host = await ApiHost.Start(shared, Schema, TimeProvider.System, builder =>
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }))
        {
            var today = PatientCalendar.DaysAgo(0, TestUser.Zone);
            foreach (var clinic in new[] { new TestClinic(host) { Id = northClinic }, new TestClinic(host) })
            {
                var patient = clinic.Patient();
                var episode = await patient.OpenEpisode(onsetDate: today);
                await (await patient.LogCheckIn(episode, TestUser.CheckIn(today, pain: 6))).ShouldBe(HttpStatusCode.Created);
                await TrendCaughtUp(patient, episode);
                clinics.Add(clinic.Id.ToString());
            }
        }
        var (northBefore, sharedBefore) = (await Rows(north, clinics), await Rows(shared, clinics));
        await StoredReadModels.Wipe(north, Schema, [.. clinics]);
        await StoredReadModels.Wipe(shared, Schema, [.. clinics]);

        var (exitCode, output) = await ApiProcess.RunToEnd(shared, Schema, settings, "projections", "rebuild");

        Assert.True(exitCode == 0, output);
        // Each clinic's three documents are back, in its own database and nowhere else.
        Assert.Equal(northBefore, await Rows(north, clinics));
        Assert.Equal(sharedBefore, await Rows(shared, clinics));
        Assert.Equal(3, northBefore.Count(r => r.StartsWith(clinics[0], StringComparison.Ordinal)));
        Assert.Equal(3, sharedBefore.Count(r => r.StartsWith(clinics[1], StringComparison.Ordinal)));
        foreach (var database in new[] { north, shared })
        {
            Assert.Equal(3L, await StoredReadModels.AtLastEvent(database, Schema));
        }
    }

    /// <summary>The read models' rows of <paramref name="clinics"/> in one database, whole, with their revisions.</summary>
    private static Task<List<string>> Rows(string connectionString, List<string> clinics) =>
        StoredReadModels.Rows(connectionString, Schema, "tenant_id || ' ' || id || ' ' || mt_version || ' ' || data::text", [.. clinics]);

    // Not Marten's WaitForNonStaleProjectionDataAsync: it walks every database and times out on one
    // without events yet ("No event activity was detected"), which a clinic database is at first.
    private static async Task TrendCaughtUp(TestUser patient, Guid episode)
    {
        JsonNode trend = new JsonObject();
        for (var attempt = 0; attempt < 120; attempt++)
        {
            trend = await patient.GetJson($"/api/episodes/{episode}/trend");
            if (trend["eventsBehind"]!.GetValue<long>() == 0 && trend["days"]!.AsArray().Count == 1) return;
            await Task.Delay(250);
        }
        Assert.Fail($"The trend of {episode} did not catch up: {trend}");
    }

    private static async Task<string> FreshDatabase(string server, string name)
    {
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await using var drop = admin.CreateCommand($"drop database if exists {name} with (force)");
            await drop.ExecuteNonQueryAsync();
            await using var create = admin.CreateCommand($"create database {name}");
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Which of <paramref name="ours"/> have events in the database: the shared one keeps earlier runs' clinics.</summary>
    private static async Task<List<string>> Clinics(string connectionString, string[] ours)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand($"select distinct tenant_id from {Schema}.mt_events where tenant_id = any($1) order by 1");
        command.Parameters.AddWithValue(ours);
        var clinics = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) clinics.Add(reader.GetString(0));
        return clinics;
    }

    private static async Task<long> Escalations(string connectionString, Guid episode)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await using var command = database.CreateCommand($"select count(*) from {Schema}.mt_events where stream_id = $1 and type = 'alert_escalated_to_clinic'");
            command.Parameters.AddWithValue(episode);
            var count = (long)(await command.ExecuteScalarAsync())!;
            if (count > 0)
            {
                await Task.Delay(1500); // long enough for a second, wrong escalation to show
                return (long)(await command.ExecuteScalarAsync())!;
            }
            await Task.Delay(250);
        }
        return 0;
    }
}
