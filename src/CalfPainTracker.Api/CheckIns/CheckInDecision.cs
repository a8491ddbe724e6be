using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.CheckIns;

/// <summary>What logging a check-in does to an episode: the events to append and the alerts to show at once.</summary>
public sealed record CheckInOutcome(IReadOnlyList<object> Events, bool Correction, IReadOnlyList<Alert> Alerts);

public static class CheckInDecision
{
    /// <summary>
    /// Pure: the episode as it is, a validated check-in, the rules' settings and the time in;
    /// events out. The clinical rules run over the days as they will be with this check-in.
    /// </summary>
    public static CheckInOutcome Decide(Episode episode, CheckIn checkIn, RuleSettings settings, DateTimeOffset now, Func<Guid> newId)
    {
        var correction = episode.HasCheckInFor(checkIn.Day);
        var days = episode.DaysWith(checkIn);
        var findings = ClinicalRules.Evaluate(episode.SuspectedCause, episode.RiskFactors, checkIn, days, settings, episode.Tuning, now);
        var (raised, alertIds) = AlertDecisions.Decide(episode.Id, episode.Alerts, findings, checkIn.CheckInId, now, newId);
        // A rule snoozed or tuned for this patient still fires by the clinic's own rules: its open
        // alert has not passed, and clearing it would put a false reason in the record.
        var firing = episode.Tuning.IsEmpty
            ? findings
            : ClinicalRules.Evaluate(episode.SuspectedCause, episode.RiskFactors, checkIn, days, settings, null, now);
        var stillFiring = episode.Alerts.Where(a => a.IsOpen && firing.Any(f => f.Rule == a.Rule)).Select(a => a.Id);
        var cleared = AlertDecisions.Clear(episode.Id, episode.Alerts, days, !correction, [.. alertIds, .. stillFiring], settings.ClearAdviceAfterCheckIns, now);
        IReadOnlyList<object> alertEvents = [.. raised, .. cleared];

        object logged = correction
            ? new CheckInCorrected(episode.Id, checkIn, alertIds)
            : new CheckInLogged(episode.Id, checkIn, alertIds);
        return new CheckInOutcome([logged, .. alertEvents], correction, AlertsAfter(episode.Alerts, alertEvents, alertIds));
    }

    /// <summary>The alerts as they will be once the events are saved, without touching the loaded episode.</summary>
    private static List<Alert> AlertsAfter(IReadOnlyList<Alert> current, IReadOnlyList<object> events, IReadOnlyList<Guid> ids)
    {
        var alerts = current.Where(a => ids.Contains(a.Id)).ToDictionary(a => a.Id);
        foreach (var e in events)
        {
            switch (e)
            {
                case AlertRaised raised: alerts[raised.AlertId] = Alert.From(raised); break;
                case AlertEvidenceAdded added: alerts[added.AlertId] = alerts[added.AlertId].After(added); break;
                case AlertSeverityRaised raised: alerts[raised.AlertId] = alerts[raised.AlertId].After(raised); break;
            }
        }
        return ids.Select(id => alerts[id]).ToList();
    }
}
