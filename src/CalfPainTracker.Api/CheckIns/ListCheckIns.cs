using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using Marten;
using Wolverine.Http;

namespace CalfPainTracker.CheckIns;

public sealed record CheckInDays(Guid EpisodeId, IReadOnlyList<CheckIn> Days);

public static class ListCheckInsEndpoint
{
    /// <summary>The latest version of each logged day, in day order; corrections replace, history stays in the event store.</summary>
    [WolverineGet("/api/episodes/{episodeId}/check-ins", Name = "ListCheckIns")]
    public static async Task<IResult> Get(
        Guid episodeId, string? from, string? to, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var first = errors.Date("from", from, required: false) ?? DateOnly.MinValue;
        var last = errors.Date("to", to, required: false) ?? DateOnly.MaxValue;
        if (first > last) errors.Add("from", "'from' must not be after 'to'.");
        if (errors.Any) return errors.ToResult();

        var episode = await session.LoadVisible(episodeId, Caller.From(user), "check-ins", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var history = await EpisodeHistory.Of(session, episodeId, cancellation);
        return TypedResults.Ok(new CheckInDays(episodeId, history.Days.Where(c => c.Day >= first && c.Day <= last).ToList()));
    }
}
