using CalfPainTracker.Alerts;
using CalfPainTracker.Simulator;

namespace CalfPainTracker.Tests.Simulation;

/// <summary>The demo clinic of docs/alert-burden.md, run through the real rules in memory.</summary>
public sealed class AlertBurdenTests
{
    // A pure run: the dates only place the stories on a calendar; no service clock is involved.
    private static readonly StoryCalendar SixWeeks = new(new DateOnly(2026, 9, 1), 42);

    public static TheoryData<int> Seeds => [42, 7, 2026];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Clearing_leaves_at_most_one_open_advice_alert_per_patient_and_every_urgent_alert_fires_at_the_same_check_in(int seed)
    {
        var cohort = Cohort.Create(new CohortShape(1, 2, 30, seed, []), SixWeeks);

        var before = AlertBurden.Run(cohort, SixWeeks, new RuleSettings { ClearAdviceAfterCheckIns = 0 });
        var after = AlertBurden.Run(cohort, SixWeeks, new RuleSettings());

        Assert.True(after.MeanOpenAdvice <= 1m, $"{after.MeanOpenAdvice:0.00} open advice alerts per patient on the last day");
        Assert.True(after.MeanOpenAdvice < before.MeanOpenAdvice);
        Assert.Equal(
            before.Patients.Select(p => (p.Patient.Story, p.FirstUrgentDay, p.FirstEmergencyDay)),
            after.Patients.Select(p => (p.Patient.Story, p.FirstUrgentDay, p.FirstEmergencyDay)));
        Assert.All(after.Patients.Where(p => p.Patient.Story is Simulator.Stories.StoryKind.PostOperativeClot or Simulator.Stories.StoryKind.ClotToLungs),
            p => Assert.NotNull(p.FirstUrgentDay));
        Assert.Equal(
            before.Alerts.Where(a => a.Severity > Severity.Advice).Select(a => (a.Rule, a.Severity, a.Status)),
            after.Alerts.Where(a => a.Severity > Severity.Advice).Select(a => (a.Rule, a.Severity, a.Status)));
    }
}
