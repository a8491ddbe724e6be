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
}
