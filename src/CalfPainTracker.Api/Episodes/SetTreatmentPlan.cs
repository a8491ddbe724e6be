using System.Security.Claims;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record SetTreatmentPlanRequest(
    decimal? RestHoursPerDay,
    int? IceMinutesPerDay,
    int? HeatMinutesPerDay,
    int? StretchingMinutesPerDay);

public static class SetTreatmentPlanEndpoint
{
    [WolverinePut("/api/episodes/{episodeId}/plan", Name = "SetTreatmentPlan")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Put(
        Guid episodeId, SetTreatmentPlanRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var rest = errors.Require("restHoursPerDay", request.RestHoursPerDay);
        var ice = errors.Require("iceMinutesPerDay", request.IceMinutesPerDay);
        var heat = errors.Require("heatMinutesPerDay", request.HeatMinutesPerDay);
        var stretching = errors.Require("stretchingMinutesPerDay", request.StretchingMinutesPerDay);
        errors.InRange("restHoursPerDay", rest, 0, 24);
        errors.InRange("iceMinutesPerDay", ice, 0, 1440);
        errors.InRange("heatMinutesPerDay", heat, 0, 1440);
        errors.InRange("stretchingMinutesPerDay", stretching, 0, 1440);
        if (errors.Any) return errors.ToResult();

        var (stream, problem) = await session.FetchOpenForWriting(episodeId, Caller.From(user), cancellation);
        if (stream is null) return problem!;

        var plan = new TreatmentPlan(rest!.Value, ice!.Value, heat!.Value, stretching!.Value);
        stream.AppendOne(new TreatmentPlanSet(episodeId, plan, clock.GetUtcNow()));
        return TypedResults.Ok(plan);
    }
}
