using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using Wolverine;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Alerts;

public sealed class AlertLifecycleTests
{
    [Fact]
    public void A_recurring_condition_adds_evidence_to_the_open_alert_instead_of_raising_a_new_one()
    {
        var episode = Episode();

        episode.Log(Day(1, 3, atNight: true), Day(2, 3, atNight: true), Day(3, 2, atNight: true));

        var alert = Assert.Single(episode.Alerts);
        Assert.Equal(AlertRule.PainAtNightOrRest, alert.Rule);
        Assert.Equal([Onset.AddDays(1), Onset.AddDays(2), Onset.AddDays(3)], alert.Evidence);
    }

    [Fact]
    public void Deciding_a_check_in_leaves_the_loaded_episode_as_it_was_and_answers_with_the_alert_as_its_events_leave_it()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, atNight: true), Day(2, 3, atNight: true));
        var loaded = Assert.Single(episode.Alerts);

        var outcome = CheckInDecision.Decide(episode, Day(3, 3, atNight: true), new RuleSettings(), DateTimeOffset.UnixEpoch.AddDays(3), Guid.NewGuid);

        Assert.Equal([Onset.AddDays(1), Onset.AddDays(2), Onset.AddDays(3)], Assert.Single(outcome.Alerts).Evidence);
        Assert.Same(loaded, Assert.Single(episode.Alerts));
        Assert.Equal([Onset.AddDays(1), Onset.AddDays(2)], loaded.Evidence);
    }

    [Fact]
    public void Each_check_in_response_carries_the_advice_of_the_alerts_it_showed()
    {
        var episode = Episode();

        var outcomes = episode.Log(Day(1, 3, atNight: true), Day(2, 3), Day(3, 3, atNight: true));

        Assert.Equal("Calf pain at night", Assert.Single(outcomes[0].Alerts).Title);
        Assert.Empty(outcomes[1].Alerts);
        Assert.Equal(outcomes[0].Alerts[0].Id, Assert.Single(outcomes[2].Alerts).Id);
    }

    [Fact]
    public void An_open_alert_rises_in_severity_but_never_silently_falls()
    {
        var episode = Episode();

        episode.Log(Day(1, 5), Day(2, 5), Day(3, 5));
        Assert.Equal(Severity.Advice, Assert.Single(episode.Alerts).Severity);

        episode.Log(Day(4, 9), Day(5, 9), Day(6, 9));
        Assert.Equal(Severity.Urgent, Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PersistentPain).Severity);

        episode.Log(Day(7, 6), Day(8, 6), Day(9, 6)); // persistent again, at advice level
        var alert = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PersistentPain);
        Assert.Equal(Severity.Urgent, alert.Severity);
        Assert.Contains(Onset.AddDays(9), alert.Evidence);
    }

    [Fact]
    public void After_a_resolve_the_same_condition_raises_a_new_alert()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, canWalk: false));
        var first = Assert.Single(episode.Alerts);
        episode.Apply(new AlertResolved(episode.Id, first.Id, Guid.NewGuid(), "Seen in clinic, walking aid given", DateTimeOffset.UnixEpoch));

        episode.Log(Day(2, 3, canWalk: false));

        Assert.Equal(2, episode.Alerts.Count);
        Assert.Equal(AlertStatus.Resolved, episode.Alerts[0].Status);
        Assert.Equal(AlertStatus.Open, episode.Alerts[1].Status);
    }

    [Fact]
    public void A_correction_that_removes_a_red_flag_raises_nothing_and_leaves_the_alert_for_a_clinician_to_resolve()
    {
        var episode = Episode();
        episode.Log(Day(1, 4, Swelling.Moderate, symptoms: Symptom.Warmth));
        var clot = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PossibleClot);

        var correction = Assert.Single(episode.Log(Day(1, 4)));

        Assert.True(correction.Correction);
        Assert.Empty(correction.Alerts);
        Assert.Equal(AlertStatus.Open, clot.Status);
        Assert.Empty(episode.Latest!.Symptoms);
    }

    [Fact]
    public void A_correction_that_adds_a_red_flag_raises_its_alert()
    {
        var episode = Episode();
        episode.Log(Day(1, 4));

        var correction = Assert.Single(episode.Log(Day(1, 4, symptoms: Symptom.ShortnessOfBreath)));

        Assert.Equal(AlertRule.PossibleClotInLungs, Assert.Single(correction.Alerts).Rule);
    }

    [Fact]
    public void An_unacknowledged_urgent_alert_escalates_once_and_an_acknowledged_or_advice_one_does_not()
    {
        var episode = Episode();
        episode.Log(Day(1, 4, symptoms: [Symptom.Fever, Symptom.Warmth], atNight: true));
        var infection = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.Infection);
        var advice = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PainAtNightOrRest);
        var twoHoursLater = infection.RaisedAt.AddHours(2);

        Assert.Null(AlertEscalation.Decide(episode, advice.Id, twoHoursLater));
        var escalated = AlertEscalation.Decide(episode, infection.Id, twoHoursLater);
        Assert.Equal(TimeSpan.FromHours(2), escalated!.Unacknowledged);

        episode.Apply(escalated);
        Assert.Null(AlertEscalation.Decide(episode, infection.Id, twoHoursLater.AddHours(1)));

        var other = Episode();
        other.Log(Day(1, 4, symptoms: Symptom.CannotStandOnTiptoe));
        var rupture = Assert.Single(other.Alerts);
        other.Apply(new AlertAcknowledged(other.Id, rupture.Id, Guid.NewGuid(), rupture.RaisedAt.AddMinutes(30)));
        Assert.Null(AlertEscalation.Decide(other, rupture.Id, rupture.RaisedAt.AddHours(2)));
    }

    [Fact]
    public void Given_acknowledged_persistent_pain_advice_when_it_rises_to_urgent_then_it_is_open_again_and_escalates_if_nobody_looks()
    {
        var episode = Episode();
        var first = episode.Log(Day(1, 5), Day(2, 5), Day(3, 5));
        var advice = Assert.Single(episode.Alerts);
        episode.Apply(new AlertAcknowledged(episode.Id, advice.Id, Guid.NewGuid(), advice.RaisedAt.AddHours(1)));

        // Advice schedules no escalation check; the rise to urgent schedules one, two hours on.
        Assert.Contains(first.SelectMany(o => o.Events), e => e is AlertRaised);
        Assert.Empty(AlertEscalation.ChecksFor(first.SelectMany(o => o.Events), new RuleSettings()));
        var rise = episode.Log(Day(4, 9), Day(5, 9), Day(6, 9));

        var raised = Assert.Single(rise.SelectMany(o => o.Events).OfType<AlertSeverityRaised>());
        var check = Assert.IsType<DeliveryMessage<EscalateIfUnacknowledged>>(Assert.Single(AlertEscalation.ChecksFor(rise.SelectMany(o => o.Events), new RuleSettings())));
        Assert.Equal((new EscalateIfUnacknowledged(episode.Id, advice.Id), TimeSpan.FromHours(2)), (check.Message, check.Options.ScheduleDelay));
        var alert = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PersistentPain);
        Assert.Equal((Severity.Urgent, AlertStatus.Open), (alert.Severity, alert.Status));
        var escalated = AlertEscalation.Decide(episode, alert.Id, raised.At.AddHours(2));
        Assert.Equal(TimeSpan.FromHours(2), escalated!.Unacknowledged);
    }

    [Fact]
    public void A_full_wells_score_of_2_or_more_is_likely_and_the_alternative_diagnosis_takes_2_points_off()
    {
        var partial = Wells.Partial(RiskFactors(previousDvt: true), Day(3, 4, affectedCm: 40));

        Assert.Equal(2, partial.Score);
        Assert.True(Wells.Full(partial, new WellsExam(false, false, false, false)).DvtLikely);
        var withAlternative = Wells.Full(partial, new WellsExam(true, false, false, true));
        Assert.Equal(1, withAlternative.Score);
        Assert.False(withAlternative.DvtLikely);
        Assert.Contains("does not exclude", withAlternative.NextStep, StringComparison.Ordinal);
    }

    private static CalfPainTracker.Episodes.RiskFactors RiskFactors(bool previousDvt) =>
        CalfPainTracker.Episodes.RiskFactors.None with { PreviousDvt = previousDvt };
}
