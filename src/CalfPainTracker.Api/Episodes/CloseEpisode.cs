using System.Security.Claims;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record CloseEpisodeRequest(string? Reason);

public static class CloseEpisodeEndpoint
{
    /// <summary>The patient, their physiotherapist or the clinic may close an episode; it then takes no more check-ins.</summary>
    [WolverinePost("/api/episodes/{episodeId}/close", Name = "CloseEpisode")]
    public static async Task<IResult> Post(
        Guid episodeId, CloseEpisodeRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var reason = errors.Enum<CloseReason>("reason", request.Reason, required: true);
        if (errors.Any) return errors.ToResult();

        var (stream, problem) = await session.FetchOpenForWriting(episodeId, Caller.From(user), cancellation);
        if (stream is null) return problem!;

        var now = clock.GetUtcNow();
        var caller = Caller.From(user);
        stream.AppendOne(new EpisodeClosed(episodeId, reason!.Value, now));
        // A closed episode takes no check-ins: its phones have nothing left to do.
        await DeviceSessionEndpoints.EndAll(session, stream, SignOutReason.EpisodeClosed, caller.UserId, now, cancellation);
        return TypedResults.NoContent();
    }
}
