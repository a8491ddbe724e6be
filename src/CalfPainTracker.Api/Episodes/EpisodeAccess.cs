using CalfPainTracker.Http;
using CalfPainTracker.Security;
using JasperFx.Events;
using Marten;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Episodes;

/// <summary>Every route on an episode starts here, so no route can forget the ownership check.</summary>
public static class EpisodeAccess
{
    /// <summary>
    /// What a route answers instead of going on: not found for an episode the caller may not see
    /// (unknown and not-yours look the same), else Wolverine's continue.
    /// </summary>
    public static IResult MaySee(this Caller caller, Episode? episode, Guid episodeId) =>
        episode is not null && caller.CanSee(episode) ? WolverineContinue.Result() : Problems.EpisodeNotFound(episodeId);

    /// <summary>As <see cref="MaySee"/>, and a closed episode takes no more changes.</summary>
    public static IResult MayChange(this Caller caller, Episode? episode, Guid episodeId) =>
        episode is { Status: EpisodeStatus.Closed } && caller.CanSee(episode) ? Problems.EpisodeClosed(episodeId) : caller.MaySee(episode, episodeId);

    /// <summary>
    /// Locks the episode's stream until the transaction commits (concurrent writes queue up
    /// rather than fail) and returns it only if the caller may see the episode. For writes that
    /// do more than append to the one stream; the others take the episode with <see cref="WriteEpisodeAttribute"/>.
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
        var stream = await session.Events.FetchForExclusiveWriting<Episode>(episodeId, cancellation);
        var problem = caller.MayChange(stream.Aggregate, episodeId);
        return problem is WolverineContinue ? (stream, null) : (null, problem);
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

/// <summary>
/// Wolverine's aggregate handler workflow on an episode, with the stream locked until the
/// transaction commits: a check-in, a reminder and a clinician's change arriving together queue
/// up rather than fail on the version. The episode may be missing (or another clinic's, which the
/// tenancy makes look the same), so routes answer their own problem from a Validate method
/// (<see cref="EpisodeAccess.MaySee"/>) and scheduled checks simply find nothing to do.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class WriteEpisodeAttribute : WriteAggregateAttribute
{
    public WriteEpisodeAttribute()
    {
        Required = false;
        LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive;
    }
}
