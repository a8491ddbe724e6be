using CalfPainTracker.Http;
using CalfPainTracker.Security;
using JasperFx.Events;
using Marten;

namespace CalfPainTracker.Episodes;

/// <summary>Every route on an episode starts here, so no route can forget the ownership check.</summary>
public static class EpisodeAccess
{
    /// <summary>
    /// Locks the episode's stream until the transaction commits (concurrent writes queue up
    /// rather than fail) and returns it only if the caller may see the episode.
    /// </summary>
    public static async Task<IEventStream<Episode>?> FetchVisibleForWriting(
        this IDocumentSession session, Guid episodeId, Caller caller, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForExclusiveWriting<Episode>(episodeId, cancellation);
        return stream.Aggregate is { } episode && caller.CanSee(episode) ? stream : null;
    }

    /// <summary>An episode the caller may see and that still takes changes, or the problem to answer instead.</summary>
    public static async Task<(IEventStream<Episode>? Stream, IResult? Problem)> FetchOpenForWriting(
        this IDocumentSession session, Guid episodeId, Caller caller, CancellationToken cancellation)
    {
        var stream = await session.FetchVisibleForWriting(episodeId, caller, cancellation);
        if (stream?.Aggregate is not { } episode) return (null, Problems.EpisodeNotFound(episodeId));
        return episode.Status == EpisodeStatus.Closed ? (null, Problems.EpisodeClosed(episodeId)) : (stream, null);
    }

    /// <summary>
    /// Loads the episode if the caller may see it; a clinician's read is recorded in the
    /// audit trail (who, when, what), committed with the request.
    /// </summary>
    public static async Task<Episode?> LoadVisible(
        this IDocumentSession session, Guid episodeId, Caller caller, string what, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadAsync<Episode>(episodeId, cancellation);
        if (episode is null || !caller.CanSee(episode)) return null;
        if (caller.IsClinician)
        {
            session.Store(new RecordAccess(Guid.CreateVersion7(), caller.UserId, caller.Role, episode.PatientId, episode.Id, what, clock.GetUtcNow()));
        }
        return episode;
    }
}
