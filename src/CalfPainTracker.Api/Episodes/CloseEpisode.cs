using System.Security.Claims;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using JasperFx.Events;
using Marten;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record CloseEpisodeRequest(string? Reason);

public static class CloseEpisodeEndpoint
{
    public static IResult Validate(Guid episodeId, CloseEpisodeRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        errors.Enum<CloseReason>("reason", request.Reason, required: true);
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    /// <summary>
    /// The patient, their physiotherapist or the clinic may close an episode; it then takes no more
    /// check-ins. Takes the stream rather than returning the event: the phones and invitations
    /// ended with it append to the same stream, after it.
    /// </summary>
    [WolverinePost("/api/episodes/{episodeId}/close", Name = "CloseEpisode")]
    public static async Task<IResult> Post(
        Guid episodeId, CloseEpisodeRequest request, [WriteEpisode] IEventStream<Episode> stream, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        stream.AppendOne(new EpisodeClosed(episodeId, WireNames.Parse<CloseReason>(request.Reason), now));
        // A closed episode takes no check-ins: its phones have nothing left to do.
        await DeviceSessionEndpoints.EndAll(session, stream, SignOutReason.EpisodeClosed, Caller.From(user).UserId, now, cancellation);
        return TypedResults.NoContent();
    }
}
