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

    [Theory]
    [InlineData("projections rebuild", true)]
    [InlineData("projections rebuild --advance", true)]
    [InlineData("projections rebuild -p EpisodeTrend", false)]
    [InlineData("projections rebuild --projection PatientTriage", false)]
    [InlineData("projections", false)]
    [InlineData("db-apply", false)]
    [InlineData("", false)]
    public void Only_a_rebuild_of_every_read_model_runs_them_as_one_pass_and_a_named_one_keeps_its_name(string commandLine, bool together) =>
        Assert.Equal(together, CalfPainTracker.Operations.ReadModels.RebuildsAll(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

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
            await using var database = NpgsqlDataSource.Create(connectionString);
            // This clinic's rows only: a kept database holds earlier runs' clinics too.
            foreach (var table in new[] { "mt_doc_episode", "mt_doc_episodetrend", "mt_doc_patienttriage" })
            {
                await using var wipe = database.CreateCommand($"delete from {Schema}.{table} where tenant_id = $1");
                wipe.Parameters.AddWithValue(clinic.ToString());
                Assert.Equal(2, await wipe.ExecuteNonQueryAsync());
            }
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
}
