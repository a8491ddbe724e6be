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

    [Fact]
    public async Task The_projections_rebuild_command_rebuilds_every_trend_and_the_dashboard_equal_to_the_live_ones()
    {
        var connectionString = await PostgresServer.ConnectionString;
        var clock = ApiHost.TestClock();
        var clinic = Guid.Empty;
        var urls = new List<string>();
        var live = new Dictionary<string, string>();

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
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

            foreach (var (user, id) in new[] { (sixWeeks, episode), (other, shortEpisode) })
            {
                var url = $"/api/episodes/{id}/trend";
                live[url] = (await user.GetJson(url)).ToJsonString();
                urls.Add(url);
            }
            live[Dashboard] = (await clinicUsers.Admin().GetJson(Dashboard))["patients"]!.ToJsonString();
            await using var database = NpgsqlDataSource.Create(connectionString);
            // This clinic's rows only: a kept database holds earlier runs' clinics too.
            foreach (var table in new[] { "mt_doc_episodetrend", "mt_doc_patienttriage" })
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
    }
}
