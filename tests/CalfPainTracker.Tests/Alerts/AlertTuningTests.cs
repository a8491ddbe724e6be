using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Alerts;

/// <summary>A physiotherapist quietens advice for one patient; nothing urgent can be quietened.</summary>
public sealed class AlertTuningTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    [Fact]
    public void Given_a_patient_whose_pain_sits_at_4_when_the_physio_raises_the_threshold_to_5_then_no_persistent_pain_advice()
    {
        var untuned = Episode();
        untuned.Log(Day(1, 4), Day(2, 4), Day(3, 4));
        Assert.Single(untuned.Alerts, a => a.Rule == AlertRule.PersistentPain);

        var tuned = Episode();
        tuned.Apply(new AlertTuningSet(tuned.Id, 5, 3, Guid.NewGuid(), At));
        tuned.Log(Day(1, 4), Day(2, 4), Day(3, 4));
        Assert.Empty(tuned.Alerts);

        tuned.Log(Day(4, 5), Day(5, 5), Day(6, 5));
        Assert.Contains("tuned for this patient", Assert.Single(tuned.Alerts, a => a.Rule == AlertRule.PersistentPain).Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_longer_tuned_window_does_not_delay_severe_pain_which_stays_urgent_on_the_clinics_window()
    {
        var episode = Episode();
        episode.Apply(new AlertTuningSet(episode.Id, 8, 7, Guid.NewGuid(), At));

        episode.Log(Day(1, 9), Day(2, 9), Day(3, 9));

        var alert = Assert.Single(episode.Alerts);
        Assert.Equal((AlertRule.PersistentPain, Severity.Urgent), (alert.Rule, alert.Severity));
    }

    [Fact]
    public void A_snoozed_advice_rule_raises_nothing_until_the_snooze_ends()
    {
        var episode = Episode();
        // The story's clock runs one day per logged day from the Unix epoch: snoozed for days 1-4.
        episode.Apply(new AdviceRuleSnoozed(episode.Id, AlertRule.CannotWalkComfortably, At.AddDays(5), "Walking boot for 4 days", Guid.NewGuid(), At));

        episode.Log(Day(1, 3, canWalk: false), Day(4, 3, canWalk: false));
        Assert.Empty(episode.Alerts);

        episode.Log(Day(5, 3, canWalk: false));
        Assert.Equal(AlertRule.CannotWalkComfortably, Assert.Single(episode.Alerts).Rule);
    }

    [Fact]
    public void An_open_advice_alert_whose_rule_is_snoozed_but_still_fires_is_not_cleared_as_passed()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, canWalk: false));
        episode.Apply(new AdviceRuleSnoozed(episode.Id, AlertRule.CannotWalkComfortably, At.AddDays(14), "Walking boot", Guid.NewGuid(), At));

        // Still not walking comfortably on every check-in: the snooze quietens new alerts, it does not make the sign pass.
        episode.Log(Day(2, 3, canWalk: false), Day(3, 3, canWalk: false), Day(4, 3, canWalk: false), Day(5, 3, canWalk: false));

        Assert.Equal(AlertStatus.Open, Assert.Single(episode.Alerts).Status);
    }

    [Fact]
    public void A_snoozed_rule_that_finds_something_urgent_still_alerts()
    {
        var episode = Episode();
        episode.Apply(new AdviceRuleSnoozed(episode.Id, AlertRule.PersistentPain, At.AddDays(14), "Known slow recovery", Guid.NewGuid(), At));

        episode.Log(Day(1, 5), Day(2, 5), Day(3, 5));
        Assert.Empty(episode.Alerts);

        episode.Log(Day(4, 9), Day(5, 9), Day(6, 9));
        Assert.Equal(Severity.Urgent, Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PersistentPain).Severity);
    }

    [Theory]
    [InlineData(AlertRule.PossibleClot)]
    [InlineData(AlertRule.PossibleClotInLungs)]
    [InlineData(AlertRule.ColdPaleLeg)]
    [InlineData(AlertRule.Infection)]
    [InlineData(AlertRule.PossibleRupture)]
    public void The_clot_infection_rupture_and_emergency_rules_are_not_tunable(AlertRule rule)
    {
        Assert.DoesNotContain(rule, AlertTuning.Tunable);
        Assert.NotNull(AlertTuningDecision.Snooze(rule, 7, "reason", Guid.NewGuid(), Guid.NewGuid(), At).Problem);
    }

    [Theory]
    [InlineData(2, 3, "persistentPain.minimumPain")]
    [InlineData(9, 3, "persistentPain.minimumPain")]
    [InlineData(4, 1, "persistentPain.days")]
    [InlineData(4, 8, "persistentPain.days")]
    public void The_persistent_pain_threshold_stays_within_safe_bounds(int minimumPain, int days, string field)
    {
        var errors = new CalfPainTracker.Http.FieldErrors();
        AlertTuningDecision.CheckPersistentPain(minimumPain, days, errors);
        Assert.Contains(field, errors.Fields);
    }

    [Fact]
    public void A_snooze_is_at_most_14_days_and_needs_a_reason()
    {
        Assert.NotNull(AlertTuningDecision.Snooze(AlertRule.Swelling, 15, "reason", Guid.NewGuid(), Guid.NewGuid(), At).Problem);
        Assert.NotNull(AlertTuningDecision.Snooze(AlertRule.Swelling, 7, " ", Guid.NewGuid(), Guid.NewGuid(), At).Problem);
        var ok = AlertTuningDecision.Snooze(AlertRule.Swelling, 14, "Compression stocking fitted", Guid.NewGuid(), Guid.NewGuid(), At);
        Assert.Equal(At.AddDays(14), ok.Event!.Until);
    }
}
