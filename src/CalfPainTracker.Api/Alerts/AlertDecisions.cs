namespace CalfPainTracker.Alerts;

/// <summary>
/// Turns a check-in's findings into alert events: at most one unresolved alert per rule and
/// episode; a recurring condition adds evidence to it; severity may rise, never fall; after
/// a resolve, a new occurrence raises a new alert.
/// </summary>
public static class AlertDecisions
{
    /// <returns>The events, and the alerts the findings belong to (new or already open), in finding order.</returns>
    public static (IReadOnlyList<object> Events, IReadOnlyList<Guid> AlertIds) Decide(
        Guid episodeId, IReadOnlyList<Alert> alerts, IReadOnlyList<Finding> findings, Guid? checkInId, DateTimeOffset now, Func<Guid> newId)
    {
        var events = new List<object>();
        var alertIds = new List<Guid>();
        foreach (var finding in findings)
        {
            var open = alerts.FirstOrDefault(a => a.Rule == finding.Rule && a.IsOpen);
            if (open is null)
            {
                var id = newId();
                alertIds.Add(id);
                events.Add(new AlertRaised(episodeId, id, finding.Rule, finding.Severity, finding.Title, finding.Advice,
                    finding.Evidence, finding.Source, finding.Wells, checkInId, now));
                continue;
            }
            alertIds.Add(open.Id);
            if (finding.Severity > open.Severity)
            {
                events.Add(new AlertSeverityRaised(episodeId, open.Id, finding.Severity, finding.Title, finding.Advice, checkInId, now));
            }
            var newEvidence = finding.Evidence.Where(day => !open.Evidence.Contains(day)).ToList();
            if (newEvidence.Count > 0 || finding.Wells is not null && finding.Wells.Score > (open.PartialWells?.Score ?? 0))
            {
                events.Add(new AlertEvidenceAdded(episodeId, open.Id, newEvidence, finding.Wells, checkInId, now));
            }
        }
        return (events, alertIds);
    }

    /// <summary>
    /// Pure: the advice alerts that have passed. An open or acknowledged advice alert is cleared
    /// once <paramref name="afterCheckIns"/> logged days after its last evidence day went by
    /// without its rule firing (the days as they are with the check-in just decided, so a
    /// correction of a day already logged adds no day, and a backfilled day counts like any
    /// other). An alert without evidence days (missed check-ins) is about the patient's silence,
    /// so the first newly logged day clears it. Urgent and emergency alerts are never cleared.
    /// </summary>
    /// <param name="fired">The alerts this check-in's findings belong to: their rule fired, so they stay.</param>
    public static IReadOnlyList<AlertCleared> Clear(
        Guid episodeId, IReadOnlyList<Alert> alerts, IReadOnlyList<CheckIns.DayPain> days, bool newDay, IReadOnlyCollection<Guid> fired,
        int afterCheckIns, DateTimeOffset now)
    {
        if (afterCheckIns <= 0) return [];
        var cleared = new List<AlertCleared>();
        foreach (var alert in alerts.Where(a => a.IsOpen && a.Severity == Severity.Advice && !fired.Contains(a.Id)))
        {
            if (alert.Evidence.Count == 0)
            {
                if (newDay) cleared.Add(new(episodeId, alert.Id, "The patient checked in again.", now));
                continue;
            }
            var last = alert.Evidence.Max();
            var since = days.Count(d => d.Day > last);
            if (since >= afterCheckIns)
            {
                cleared.Add(new(episodeId, alert.Id,
                    $"Not seen on the {since} check-ins since {last:yyyy-MM-dd}.", now));
            }
        }
        return cleared;
    }
}
