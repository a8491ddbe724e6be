using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CalfPainTracker.Tests.Trends;

[Collection(nameof(ServiceProcesses))]
public sealed class ProjectionRebuildTests
{
    private const string Schema = "calfpain_rebuild";
    private const string Dashboard = "/api/dashboard";
    private const int Copies = 1_200;

    [Theory]
    [InlineData("projections rebuild", "Episode:All PatientTriage:All EpisodeTrend:All")]
    [InlineData("projections rebuild --advance", "Episode:All PatientTriage:All EpisodeTrend:All")]
    [InlineData("projections rebuild -p EpisodeTrend", "EpisodeTrend:All")]
    [InlineData("projections rebuild --projection PatientTriage", "PatientTriage:All")]
    [InlineData("projections rebuild --Projection PatientTriage", "PatientTriage:All")]
    [InlineData("projections rebuild -p", "")]
    [InlineData("projections", "")]
    [InlineData("db-apply", "")]
    [InlineData("", "")]
    public void A_rebuild_of_every_read_model_must_bring_all_three_to_the_last_event_and_a_named_one_that_one(string commandLine, string shards) =>
        Assert.Equal(shards, string.Join(' ', CalfPainTracker.Operations.ReadModels.RebuiltShards(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))));

    [Fact]
    public async Task The_projections_rebuild_command_rebuilds_every_episode_trend_and_the_dashboard_equal_to_the_live_ones_and_the_daemon_carries_on_after_it()
    {
        var connectionString = await PostgresServer.ConnectionString;
        var clock = ApiHost.TestClock();
        var clinic = Guid.Empty;
        var urls = new List<string>();
        var live = new Dictionary<string, string>();
        var (otherPatient, shortEpisodeId) = (Guid.Empty, Guid.Empty);

        await using (var host = await ApiHost.Start(connectionString, Schema, clock))
        {
            var clinicUsers = new TestClinic(host);
            clinic = clinicUsers.Id;
            var sixWeeks = clinicUsers.Patient();
            var episode = await sixWeeks.OpenEpisode(onsetDate: "2026-09-20");
            await SixWeekRecovery.LogAll(sixWeeks, episode);
            var other = clinicUsers.Patient();
            var shortEpisode = await other.OpenEpisode();
            await other.LogCheckIn(shortEpisode, TestUser.CheckIn("2026-11-01", pain: 8));
            (otherPatient, shortEpisodeId) = (other.Id, shortEpisode);
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

            // Read as the clinic's admin, as after the rebuild: a patient's view of an episode leaves clinicians' facts out.
            foreach (var id in new[] { episode, shortEpisode })
            {
                foreach (var url in new[] { $"/api/episodes/{id}", $"/api/episodes/{id}/trend" })
                {
                    live[url] = (await clinicUsers.Admin().GetJson(url)).ToJsonString();
                    urls.Add(url);
                }
            }
            live[Dashboard] = (await clinicUsers.Admin().GetJson(Dashboard))["patients"]!.ToJsonString();
            Assert.Equal([2, 2, 2], await StoredReadModels.Wipe(connectionString, Schema, clinic.ToString()));
        }

        await ApiProcess.Run(connectionString, Schema, "projections", "rebuild");

        await using var rebuilt = await ApiHost.Start(connectionString, Schema, clock);
        var clinicAdmin = new TestUser(rebuilt, new CalfPainTracker.Security.Caller(Guid.NewGuid(), CalfPainTracker.Security.Role.ClinicAdmin, clinic));
        foreach (var url in urls)
        {
            Assert.Equal(live[url], (await clinicAdmin.GetJson(url)).ToJsonString());
        }
        Assert.Equal(live[Dashboard], (await clinicAdmin.GetJson(Dashboard))["patients"]!.ToJsonString());

        // The rebuild left the trend's daemon where it stopped: a check-in after it reaches the trend.
        var patient = new TestUser(rebuilt, new CalfPainTracker.Security.Caller(otherPatient, CalfPainTracker.Security.Role.Patient, clinic));
        await (await patient.LogCheckIn(shortEpisodeId, TestUser.CheckIn("2026-11-02", pain: 6))).ShouldBe(HttpStatusCode.Created);
        await rebuilt.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var days = (await patient.GetJson($"/api/episodes/{shortEpisodeId}/trend"))["days"]!.AsArray();
        Assert.Equal(["2026-11-01", "2026-11-02"], days.Select(d => d!["day"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_rebuild_of_a_store_without_events_succeeds()
    {
        const string schema = "calfpain_rebuild_empty";
        var connectionString = await PostgresServer.ConnectionString;
        await DropSchema(connectionString, schema);
        // The service makes the event store's tables at start; no event is appended.
        await (await ApiHost.Start(connectionString, schema, ApiHost.TestClock())).DisposeAsync();

        await ApiProcess.Run(connectionString, schema, "projections", "rebuild");
    }

    /// <summary>A schema of the test's own, made anew, so that a kept database's earlier runs do not add to its events.</summary>
    private static async Task DropSchema(string connectionString, string schema)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var drop = database.CreateCommand($"drop schema if exists {schema} cascade");
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_rebuild_that_runs_out_of_time_fails_and_says_its_read_models_are_incomplete()
    {
        const string schema = "calfpain_rebuild_cut";
        var connectionString = await SixWeekRecoveryIn(schema, _ => Task.CompletedTask);
        // Ten thousand copies of the episode's stream: far more events than any machine rebuilds in the two seconds allowed.
        await CopyEpisodes(connectionString, schema, 10_000);

        var (exitCode, output) = await ApiProcess.RunToEnd(connectionString, schema, "projections", "rebuild", "--shard-timeout", "2s");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("The rebuild stopped before the last event", output);
        Assert.Contains("Its read models are incomplete", output);
    }

    [Fact]
    public async Task A_rebuild_of_more_episodes_than_one_batch_folds_every_episode_from_its_own_events_across_clinics()
    {
        const string schema = "calfpain_rebuild_many";
        var connectionString = await SixWeekRecoveryIn(schema, async host =>
        {
            var otherClinic = new TestClinic(host).Patient();
            await otherClinic.LogCheckIn(await otherClinic.OpenEpisode(), TestUser.CheckIn("2026-11-01", pain: 8));
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        });
        // 1,200 copies of each clinic's episode, several batches of episodes, each copy k logging pain
        // k % 11 every day: a document folded from another episode's events would show its pain.
        await using var database = NpgsqlDataSource.Create(connectionString);
        var originalEpisodes = new List<Guid>();
        await using (var streams = database.CreateCommand($"select id from {schema}.mt_streams"))
        await using (var reader = await streams.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) originalEpisodes.Add(reader.GetGuid(0));
        }
        await CopyEpisodes(connectionString, schema, Copies);
        await using (var pain = database.CreateCommand($"""
            update {schema}.mt_events e set data = jsonb_set(e.data, $2, to_jsonb(c.k % 11))
              from (select id, k from unnest($1::uuid[]) id cross join generate_series(1, {Copies}) k) c
              where e.stream_id = md5(c.id::text || ':' || c.k)::uuid and e.type = 'check_in_logged'
            """))
        {
            pain.Parameters.AddWithValue(originalEpisodes.ToArray());
            pain.Parameters.AddWithValue(new[] { "checkIn", "painLevel" });
            // Each copy of the six-week recovery logged every day but the missed ones, and the other clinic's one day.
            Assert.Equal(Copies * (SixWeekRecovery.Days - SixWeekRecovery.Missed.Length + 1), await pain.ExecuteNonQueryAsync());
        }
        // Only the originals have documents yet: the copies were put straight into the event store.
        var originals = await StoredReadModels.Rows(connectionString, schema, "tenant_id || ' ' || id || ' ' || mt_version || ' ' || data::text");

        await ApiProcess.Run(connectionString, schema, "projections", "rebuild");

        var rebuilt = await StoredReadModels.Rows(connectionString, schema, "tenant_id || ' ' || id || ' ' || mt_version || ' ' || data::text");
        Assert.Equal(3 * 2 * (Copies + 1), rebuilt.Count);
        Assert.Subset(rebuilt.ToHashSet(), originals.ToHashSet());
        foreach (var table in StoredReadModels.Tables)
        {
            await using var ownPain = database.CreateCommand($"""
                select count(*) from {schema}.{table} d
                  join (select id, k from unnest($1::uuid[]) id cross join generate_series(1, {Copies}) k) c on d.id = md5(c.id::text || ':' || c.k)::uuid
                  where (d.data->'days'->'pain'->>0)::int = c.k % 11
                """);
            ownPain.Parameters.AddWithValue(originalEpisodes.ToArray());
            Assert.Equal((long)2 * Copies, await ownPain.ExecuteScalarAsync());
        }
        Assert.Equal(3L, await StoredReadModels.AtLastEvent(connectionString, schema));
    }

    [Fact]
    public async Task A_rebuild_naming_a_database_the_service_does_not_have_is_refused_and_leaves_the_read_models_alone()
    {
        const string schema = "calfpain_rebuild_unknown";
        var connectionString = await SixWeekRecoveryIn(schema, host => host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30)));
        var before = await StoredReadModels.Rows(connectionString, schema, "id || ' ' || mt_version || ' ' || data::text");

        var (exitCode, output) = await ApiProcess.RunToEnd(connectionString, schema, "projections", "rebuild", "-d", "sharred");

        Assert.Equal(1, exitCode);
        Assert.Contains("There is no database 'sharred'", output);
        Assert.Contains("the databases are ", output);
        Assert.Equal(before, await StoredReadModels.Rows(connectionString, schema, "id || ' ' || mt_version || ' ' || data::text"));
    }

    /// <summary>
    /// A schema of the test's own, made anew, holding one clinic's six-week recovery and what
    /// <paramref name="more"/> adds; the service stopped. Returns the connection string.
    /// </summary>
    private static async Task<string> SixWeekRecoveryIn(string schema, Func<Alba.IAlbaHost, Task> more)
    {
        var connectionString = await PostgresServer.ConnectionString;
        await DropSchema(connectionString, schema);
        await using var host = await ApiHost.Start(connectionString, schema, ApiHost.TestClock());
        var patient = new TestClinic(host).Patient();
        await SixWeekRecovery.LogAll(patient, await patient.OpenEpisode(onsetDate: "2026-09-20"));
        await more(host);
        return connectionString;
    }

    /// <summary>
    /// Copies of every stream under new ids, appended after the originals, so a rebuild has many
    /// episodes whose documents must all be the original's.
    /// </summary>
    private static async Task CopyEpisodes(string connectionString, string schema, int copies)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var copy = database.CreateCommand($"""
            insert into {schema}.mt_streams (tenant_id, id, type, version, timestamp, created, is_archived)
              select tenant_id, md5(id::text || ':' || k)::uuid, type, version, timestamp, created, is_archived
              from {schema}.mt_streams cross join generate_series(1, {copies}) k;
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, headers, user_name, is_archived)
              select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), md5(stream_id::text || ':' || k)::uuid, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, headers, user_name, is_archived
              from {schema}.mt_events cross join generate_series(1, {copies}) k order by k, seq_id;
            """);
        copy.CommandTimeout = 120;
        await copy.ExecuteNonQueryAsync();
    }
}
