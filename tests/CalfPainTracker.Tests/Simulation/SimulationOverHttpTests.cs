using CalfPainTracker.Alerts;
using CalfPainTracker.Simulator;
using CalfPainTracker.Simulator.Stories;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Simulation;

/// <summary>
/// The simulator against the real service: the clinical stories raise their alerts on the days
/// they should, and a fixed seed raises the same alerts on another database. The service runs
/// on the real clock, so the cohort's days end yesterday, as on the command line.
/// </summary>
public sealed class SimulationOverHttpTests : IAsyncLifetime
{
    private Alba.IAlbaHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_simulator", TimeProvider.System);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static StoryCalendar EndingYesterday(int days)
    {
        var today = StoryCalendar.Today(DateTimeOffset.UtcNow);
        return new StoryCalendar(today.AddDays(-days), days);
    }

    private static async Task<SimulationReport> Run(Alba.IAlbaHost host, Cohort cohort)
    {
        var report = await new ClinicSimulation(() => host.Server.CreateClient(), ApiHost.Jwt).Run(cohort, new Speed(0, 4), CancellationToken.None);
        Assert.True(report.Errors == 0, string.Join(Environment.NewLine, report.ErrorSamples));
        Assert.Equal(report.Planned, report.Sent);
        return report;
    }

    [Fact]
    public async Task The_post_operative_clot_raises_an_urgent_clot_alert_on_day_9_and_the_clot_in_the_lungs_an_emergency_on_day_8()
    {
        var calendar = EndingYesterday(14);
        var cohort = Cohort.Create(new CohortShape(1, 1, 2, Seed: 11, [StoryKind.PostOperativeClot, StoryKind.ClotToLungs]), calendar);
        DateOnly Day(int number) => calendar.Start.AddDays(number - 1);

        var report = await Run(_host, cohort);

        var postOperative = report.Episodes[0].Alerts;
        var clot = Assert.Single(postOperative, a => a.Rule == AlertRule.PossibleClot);
        Assert.Equal(new RaisedAlert(AlertRule.PossibleClot, Severity.Urgent, Day(PostOperativeClot.ClotDay)), clot);
        Assert.DoesNotContain(postOperative, a => a.Severity == Severity.Emergency);

        var lungs = report.Episodes[1].Alerts;
        Assert.Contains(new RaisedAlert(AlertRule.PossibleClot, Severity.Urgent, Day(ClotToLungs.ClotDay)), lungs);
        Assert.Contains(new RaisedAlert(AlertRule.PossibleClotInLungs, Severity.Emergency, Day(ClotToLungs.BreathlessDay)), lungs);
        Assert.DoesNotContain(lungs, a => a.Rule == AlertRule.PossibleClotInLungs && a.Day != Day(ClotToLungs.BreathlessDay));
    }

    [Fact]
    public async Task A_cohort_run_twice_with_the_same_seed_on_two_fresh_databases_raises_the_same_alerts()
    {
        var shape = new CohortShape(Clinics: 1, PhysiosPerClinic: 2, PatientsPerClinic: 9, Seed: 5, Stories: []);
        var calendar = EndingYesterday(21);
        await using var again = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_simulator_again", TimeProvider.System);

        var first = await Run(_host, Cohort.Create(shape, calendar));
        var second = await Run(again, Cohort.Create(shape, calendar));

        Assert.Equal(first.AlertsByRule, second.AlertsByRule);
        Assert.Equal(first.Episodes.SelectMany(e => e.Alerts), second.Episodes.SelectMany(e => e.Alerts));
        Assert.Equal(first.Episodes.Select(e => e.Alerts.Count), second.Episodes.Select(e => e.Alerts.Count));
        Assert.Contains(AlertRule.PossibleClotInLungs, first.AlertsByRule.Keys);
        Assert.Contains(AlertRule.PersistentPain, first.AlertsByRule.Keys);
    }
}
