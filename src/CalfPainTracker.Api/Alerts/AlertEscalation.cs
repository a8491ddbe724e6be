using CalfPainTracker.Security;
using CalfPainTracker.Episodes;
using CalfPainTracker.Notifications;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Marten;

namespace CalfPainTracker.Alerts;

/// <summary>Sent to itself, durably, when an urgent or emergency alert is raised: "is anyone looking at this yet?"</summary>
public sealed record EscalateIfUnacknowledged(Guid EpisodeId, Guid AlertId);

public static class AlertEscalation
{
    /// <summary>
    /// Pure: the check to schedule for each alert that is, or has just become, urgent or worse,
    /// delayed by the escalation time. Sent by the caller's transaction, it is stored in
    /// Wolverine's durable inbox with the alert, so a restart loses none.
    /// </summary>
    public static IEnumerable<object> ChecksFor(IEnumerable<object> events, RuleSettings settings)
    {
        foreach (var e in events)
        {
            var (episodeId, alertId, severity) = e switch
            {
                AlertRaised r => (r.EpisodeId, r.AlertId, r.Severity),
                AlertSeverityRaised r => (r.EpisodeId, r.AlertId, r.Severity),
                _ => (Guid.Empty, Guid.Empty, Severity.Advice),
            };
            if (severity >= Severity.Urgent)
            {
                yield return new EscalateIfUnacknowledged(episodeId, alertId).DelayedFor(settings.EscalateAfter);
            }
        }
    }

    /// <summary>Pure: escalate only an alert that is still open, unacknowledged, urgent or worse, and not escalated before.</summary>
    public static AlertEscalatedToClinic? Decide(Episode? episode, Guid alertId, DateTimeOffset now) =>
        episode?.AlertById(alertId) is { Status: AlertStatus.Open, EscalatedAt: null, Severity: >= Severity.Urgent } alert
            ? new AlertEscalatedToClinic(episode.Id, alert.Id, now - (alert.SeverityRaisedAt ?? alert.RaisedAt), now)
            : null;
}

public static class EscalateIfUnacknowledgedHandler
{
    public static async Task<(Events, OutgoingMessages)> Handle(
        EscalateIfUnacknowledged message,
        [WriteEpisode] Episode? episode,
        IDocumentSession session,
        PublicAddress site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        if (AlertEscalation.Decide(episode, message.AlertId, now) is not { } escalated) return ([], []);
        return ([escalated], await Notify.Publish(session, episode!, [escalated], site, json.Value.SerializerOptions, now, cancellation));
    }
}
