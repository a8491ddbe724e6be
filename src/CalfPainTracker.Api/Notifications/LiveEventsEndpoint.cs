using System.Security.Claims;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Security;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine.Http;

namespace CalfPainTracker.Notifications;

/// <summary>One item of the live stream: what happened, on which episode, and the event itself.</summary>
public sealed record LiveEvent(string Type, Guid EpisodeId, DateTimeOffset At, object Data);

/// <summary>
/// Server-Sent Events of check-ins and alerts for the caller's patients. The event store is
/// the log: each SSE <c>id</c> is the event's global sequence number, so a client reconnecting
/// with <c>Last-Event-ID</c> resumes exactly where it left off. Only events below the store's
/// high-water mark are sent, so a slower transaction committing a lower number later cannot
/// leave a gap behind the client.
/// </summary>
public static class LiveEventsEndpoint
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    public const int Batch = 200;

    internal static readonly Type[] Streamed =
        [typeof(CheckInLogged), typeof(CheckInCorrected), typeof(AlertRaised), typeof(AlertSeverityRaised), typeof(AlertEscalatedToClinic), typeof(AlertAcknowledged), typeof(AlertResolved)];

    [WolverineGet("/api/dashboard/stream", Name = "DashboardStream")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task Get(
        HttpContext context,
        ClaimsPrincipal user,
        IQuerySession session,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var last = long.TryParse(context.Request.Headers["Last-Event-ID"], out var resumeFrom) ? resumeFrom : await HighWaterMark(session, cancellation);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", cancellation);
        await context.Response.Body.FlushAsync(cancellation);

        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var ceiling = await HighWaterMark(session, cancellation);
                var events = ceiling > last ? await Next(session, last, ceiling, cancellation) : [];
                var visible = await VisibleEpisodes(session, caller, events, cancellation);
                foreach (var e in events)
                {
                    last = e.Sequence;
                    if (!visible.Contains(e.StreamId)) continue;
                    var item = new LiveEvent(e.EventTypeName, e.StreamId, e.Timestamp, e.Data);
                    await context.Response.WriteAsync($"id: {e.Sequence}\nevent: {e.EventTypeName}\ndata: {JsonSerializer.Serialize(item, json.Value.SerializerOptions)}\n\n", cancellation);
                }
                if (events.Count > 0)
                {
                    last = Math.Max(last, events[^1].Sequence);
                    await context.Response.Body.FlushAsync(cancellation);
                }
                if (events.Count < Batch) await Task.Delay(PollInterval, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
    }

    private static async Task<IReadOnlyList<IEvent>> Next(IQuerySession session, long after, long ceiling, CancellationToken cancellation) =>
        await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= ceiling && e.EventTypesAre(Streamed))
            .OrderBy(e => e.Sequence)
            .Take(Batch)
            .ToListAsync(cancellation);

    /// <summary>A clinic administrator sees the whole clinic (the session's tenancy); a physiotherapist only their patients.</summary>
    private static async Task<HashSet<Guid>> VisibleEpisodes(IQuerySession session, Caller caller, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var ids = events.Select(e => e.StreamId).Distinct().ToList();
        if (ids.Count == 0) return [];
        if (caller.Role == Role.ClinicAdmin) return [.. ids];
        return [.. await session.Query<Episode>()
            .Where(e => ids.Contains(e.Id) && e.PhysiotherapistId == caller.UserId)
            .Select(e => e.Id)
            .ToListAsync(cancellation)];
    }

    // Through the session: it reads the clinic's own database when the clinic has one.
    private static async Task<long> HighWaterMark(IQuerySession session, CancellationToken cancellation)
    {
        var marks = await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_event_progression where name = 'HighWaterMark'",
            cancellation);
        return marks[0];
    }
}
