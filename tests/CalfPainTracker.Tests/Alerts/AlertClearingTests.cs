using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Alerts;

/// <summary>Advice that has passed clears itself; anything urgent waits for a clinician.</summary>
public sealed class AlertClearingTests
{
    [Fact]
    public void Given_swelling_advice_when_three_check_ins_follow_without_swelling_then_the_third_clears_it_and_says_why()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, Swelling.Mild));
        var raised = Assert.Single(episode.Alerts).Id;

        var outcomes = episode.Log(Day(2, 3), Day(3, 2));
        Assert.Equal(AlertStatus.Open, episode.AlertById(raised)!.Status);

        var third = Assert.Single(episode.Log(Day(4, 2)));
        var cleared = Assert.Single(third.Events.OfType<AlertCleared>());
        Assert.Equal(raised, cleared.AlertId);
        Assert.Contains("3 check-ins", cleared.Reason, StringComparison.Ordinal);
        var swelling = episode.AlertById(raised)!;
        Assert.Equal((AlertStatus.Cleared, cleared.At), (swelling.Status, swelling.ClearedAt!.Value));
        Assert.False(swelling.IsOpen);
        Assert.Empty(outcomes.SelectMany(o => o.Events).OfType<AlertCleared>());
    }

    [Fact]
    public void A_recurrence_before_the_count_keeps_the_alert_and_a_recurrence_after_clearing_raises_a_new_one()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, canWalk: false), Day(2, 3), Day(3, 3), Day(4, 3, canWalk: false), Day(5, 3), Day(6, 3));
        var first = Assert.Single(episode.Alerts);
        Assert.Equal(AlertStatus.Open, first.Status);

        episode.Log(Day(7, 3));
        Assert.Equal(AlertStatus.Cleared, episode.AlertById(first.Id)!.Status);

        episode.Log(Day(8, 3, canWalk: false));
        Assert.Equal(2, episode.Alerts.Count);
        Assert.Equal(AlertStatus.Open, episode.Alerts[1].Status);
    }

    [Fact]
    public void A_correction_of_a_day_already_logged_does_not_count_but_a_backfilled_day_does()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, atNight: true), Day(3, 3), Day(4, 3));
        var night = Assert.Single(episode.Alerts).Id;

        episode.Log(Day(4, 2)); // correction: still two days after the evidence
        Assert.Equal(AlertStatus.Open, episode.AlertById(night)!.Status);

        episode.Log(Day(2, 2)); // the missing day, backfilled: three
        Assert.Equal(AlertStatus.Cleared, episode.AlertById(night)!.Status);
    }

    [Fact]
    public void Urgent_and_emergency_alerts_are_never_cleared_by_the_service()
    {
        var episode = Episode();
        episode.Log(Day(1, 4, Swelling.Moderate, symptoms: [Symptom.Warmth, Symptom.ShortnessOfBreath]));
        Assert.Contains(episode.Alerts, a => a.Severity == Severity.Emergency);

        episode.Log(Enumerable.Range(2, 10).Select(d => Day(d, 2)).ToArray());

        Assert.All(episode.Alerts.Where(a => a.Severity > Severity.Advice), a => Assert.Equal(AlertStatus.Open, a.Status));
        Assert.All(episode.Alerts.Where(a => a.Severity == Severity.Advice), a => Assert.Equal(AlertStatus.Cleared, a.Status));
    }

    [Fact]
    public void Urgent_persistent_pain_stays_open_when_the_pain_falls()
    {
        var episode = Episode();
        episode.Log(Day(1, 9), Day(2, 9), Day(3, 9), Day(4, 1), Day(5, 1), Day(6, 1), Day(7, 1));

        var pain = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PersistentPain);
        Assert.Equal((Severity.Urgent, AlertStatus.Open), (pain.Severity, pain.Status));
    }

    [Fact]
    public void A_missed_check_ins_alert_clears_at_the_patients_next_check_in()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, atNight: true));
        var missed = MissedCheckIns.Decide(episode, new CheckForMissedCheckIns(episode.Id, Onset.AddDays(1), 4), DateTimeOffset.UnixEpoch.AddDays(6), Guid.NewGuid);
        foreach (var e in missed) episode.Apply(e);
        var missedAlert = Assert.Single(episode.Alerts, a => a.Rule == AlertRule.MissedCheckIns).Id;

        episode.Log(Day(7, 3, atNight: true));

        Assert.Equal(AlertStatus.Cleared, episode.AlertById(missedAlert)!.Status);
        Assert.Equal(AlertStatus.Open, Assert.Single(episode.Alerts, a => a.Rule == AlertRule.PainAtNightOrRest).Status);
    }

    [Fact]
    public void Set_to_0_the_service_never_clears()
    {
        var episode = Episode();
        episode.Log(new RuleSettings { ClearAdviceAfterCheckIns = 0 }, [Day(1, 3, Swelling.Mild), .. Enumerable.Range(2, 10).Select(d => Day(d, 1))]);

        Assert.Equal(AlertStatus.Open, Assert.Single(episode.Alerts).Status);
    }
}
