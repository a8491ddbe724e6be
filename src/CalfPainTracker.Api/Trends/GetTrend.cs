using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace CalfPainTracker.Trends;

public static class GetTrendEndpoint
{
    /// <summary>
    /// The recovery trend of the whole episode, with the days and weeks limited to from..to.
    /// The read model is asynchronous: <c>eventsBehind</c> says how many of the episode's
    /// events it has not caught up with yet (0 = current).
    /// </summary>
    [WolverineGet("/api/episodes/{episodeId}/trend", Name = "GetTrend")]
    public static async Task<IResult> Get(
        Guid episodeId,
        string? from,
        string? to,
        ClaimsPrincipal user,
        IDocumentSession session,
        TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var first = errors.Date("from", from, required: false);
        var last = errors.Date("to", to, required: false);
        if (first > last) errors.Add("from", "'from' must not be after 'to'.");
        if (errors.Any) return errors.ToResult();

        var episode = await session.LoadVisible(episodeId, Caller.From(user), "trend", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var trend = await session.LoadAsync<EpisodeTrend>(episodeId, cancellation);
        var body = JsonSerializer.SerializeToNode((trend?.Compute() ?? RecoveryTrends.Compute([], null, [])).Within(first, last), json.Value.SerializerOptions)!.AsObject();
        body.Insert(0, "episodeId", episodeId);
        body["eventsBehind"] = await EpisodeTrendProjection.EventsBehind(session, episodeId, cancellation);
        body["disclaimer"] = Alerts.Disclaimer.Text;
        return TypedResults.Json(body, json.Value.SerializerOptions);
    }
}
