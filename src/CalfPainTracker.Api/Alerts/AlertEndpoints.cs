using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Alerts;

public sealed record EpisodeAlerts(Guid EpisodeId, IReadOnlyList<Alert> Alerts)
{
    public string Disclaimer => CalfPainTracker.Alerts.Disclaimer.Text;
}

public sealed record ResolveAlertRequest(string? Note);

/// <summary>Configuration section "Alerts".</summary>
public sealed class AlertSettings
{
    public const string Section = "Alerts";

    /// <summary>
    /// A clinic that wants every resolve explained (the default) gets 400 for a resolve without a
    /// note; one that does not may resolve with an empty note.
    /// </summary>
    public bool RequireNoteToResolve { get; set; } = true;
}

public static class AlertEndpoints
{
    public const int MaxNoteLength = 2000;

    /// <summary>Every alert of the episode, newest first.</summary>
    [WolverineGet("/api/episodes/{episodeId}/alerts", Name = "ListAlerts")]
    public static async Task<IResult> List(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "alerts", clock, cancellation);
        return episode is null
            ? Problems.EpisodeNotFound(episodeId)
            : TypedResults.Ok(new EpisodeAlerts(episodeId, episode.Alerts.OrderByDescending(a => a.RaisedAt).ToList()));
    }

    [WolverinePost("/api/alerts/{alertId}/acknowledge", Name = "AcknowledgeAlert")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Acknowledge(Guid alertId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var (stream, alert) = await FetchAlertForWriting(session, alertId, caller, cancellation);
        if (stream is null || alert is null) return Problems.AlertNotFound(alertId);
        if (alert.Status == AlertStatus.Resolved) return Problems.AlertResolvedAlready(alertId);
        if (alert.Status == AlertStatus.Cleared) return Problems.AlertClearedAlready(alertId);

        if (alert.Status == AlertStatus.Open)
        {
            var acknowledged = new AlertAcknowledged(alert.EpisodeId, alert.Id, caller.UserId, clock.GetUtcNow());
            stream.AppendOne(acknowledged);
            alert = alert.After(acknowledged);
        }
        return TypedResults.Ok(alert);
    }

    [WolverinePost("/api/alerts/{alertId}/resolve", Name = "ResolveAlert")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Resolve(
        Guid alertId, ResolveAlertRequest request, ClaimsPrincipal user, IDocumentSession session, AlertSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Note))
        {
            if (settings.RequireNoteToResolve) errors.Add("note", "'note' is required (Alerts:RequireNoteToResolve): say what was done about the alert.");
        }
        else if (request.Note.Length > MaxNoteLength) errors.Add("note", $"'note' may hold at most {MaxNoteLength} characters.");
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var (stream, alert) = await FetchAlertForWriting(session, alertId, caller, cancellation);
        if (stream is null || alert is null) return Problems.AlertNotFound(alertId);
        if (alert.Status == AlertStatus.Resolved) return Problems.AlertResolvedAlready(alertId);
        if (alert.Status == AlertStatus.Cleared) return Problems.AlertClearedAlready(alertId);

        var resolved = new AlertResolved(alert.EpisodeId, alert.Id, caller.UserId, request.Note?.Trim() ?? "", clock.GetUtcNow());
        stream.AppendOne(resolved);
        return TypedResults.Ok(alert.After(resolved));
    }

    /// <summary>
    /// Stays outside Wolverine's aggregate workflow: the route names the alert, not the episode, and
    /// the workflow finds a stream id only in the route, the body or a synchronous method.
    /// </summary>
    private static async Task<(JasperFx.Events.IEventStream<Episode>? Stream, Alert? Alert)> FetchAlertForWriting(
        IDocumentSession session, Guid alertId, Caller caller, CancellationToken cancellation)
    {
        // The clinic's tenancy already limits this query to the caller's clinic.
        var episodeId = await session.Query<Episode>()
            .Where(e => e.Alerts.Any(a => a.Id == alertId))
            .Select(e => e.Id)
            .FirstOrDefaultAsync(cancellation);
        if (episodeId == Guid.Empty) return (null, null);
        var stream = await session.FetchVisibleForWriting(episodeId, caller, cancellation);
        return (stream, stream?.Aggregate?.AlertById(alertId));
    }
}
