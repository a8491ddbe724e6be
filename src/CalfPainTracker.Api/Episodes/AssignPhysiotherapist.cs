using System.Security.Claims;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Episodes;

public sealed record AssignPhysiotherapistRequest(Guid? PhysioId);

public static class AssignPhysiotherapistEndpoint
{
    public static IResult Validate(Guid episodeId, AssignPhysiotherapistRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var physioId = errors.Require("physioId", request.PhysioId);
        if (physioId == Guid.Empty) errors.Add("physioId", "'physioId' must not be the empty UUID.");
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    /// <summary>A clinic administrator assigns anyone; a physiotherapist hands over an episode assigned to them.</summary>
    [WolverinePut("/api/episodes/{episodeId}/physiotherapist", Name = "AssignPhysiotherapist")]
    [Authorize(Policy = Policies.Clinician)]
    public static (IResult, Events) Put(Guid episodeId, AssignPhysiotherapistRequest request, [WriteEpisode] Episode episode, TimeProvider clock) =>
        (TypedResults.NoContent(),
            episode.PhysiotherapistId == request.PhysioId ? [] : [new PhysiotherapistAssigned(episodeId, request.PhysioId!.Value, clock.GetUtcNow())]);
}
