using System.Security.Claims;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Episodes;

public sealed record SetTreatmentPlanRequest(
    decimal? RestHoursPerDay,
    int? IceMinutesPerDay,
    int? HeatMinutesPerDay,
    int? StretchingMinutesPerDay);

public static class SetTreatmentPlanEndpoint
{
    public static IResult Validate(Guid episodeId, SetTreatmentPlanRequest request, Episode? episode, ClaimsPrincipal user)
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
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    [WolverinePut("/api/episodes/{episodeId}/plan", Name = "SetTreatmentPlan")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Put(Guid episodeId, SetTreatmentPlanRequest request, [WriteEpisode] Episode episode, TimeProvider clock)
    {
        var plan = new TreatmentPlan(request.RestHoursPerDay!.Value, request.IceMinutesPerDay!.Value, request.HeatMinutesPerDay!.Value, request.StretchingMinutesPerDay!.Value);
        return (TypedResults.Ok(plan), [new TreatmentPlanSet(episodeId, plan, clock.GetUtcNow())]);
    }
}
