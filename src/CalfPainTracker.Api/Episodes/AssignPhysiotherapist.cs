using System.Security.Claims;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record AssignPhysiotherapistRequest(Guid? PhysioId);

public static class AssignPhysiotherapistEndpoint
{
    /// <summary>A clinic administrator assigns anyone; a physiotherapist hands over an episode assigned to them.</summary>
    [WolverinePut("/api/episodes/{episodeId}/physiotherapist", Name = "AssignPhysiotherapist")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Put(
        Guid episodeId, AssignPhysiotherapistRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var physioId = errors.Require("physioId", request.PhysioId);
        if (physioId == Guid.Empty) errors.Add("physioId", "'physioId' must not be the empty UUID.");
        if (errors.Any) return errors.ToResult();

        var (stream, problem) = await session.FetchOpenForWriting(episodeId, Caller.From(user), cancellation);
        if (stream is null) return problem!;

        if (stream.Aggregate!.PhysiotherapistId != physioId)
        {
            stream.AppendOne(new PhysiotherapistAssigned(episodeId, physioId!.Value, clock.GetUtcNow()));
        }
        return TypedResults.NoContent();
    }
}
