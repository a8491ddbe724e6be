using System.Security.Claims;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Alerts;

public sealed record WellsExamRequest(bool? DeepVeinTenderness, bool? PittingOedema, bool? CollateralVeins, bool? AlternativeDiagnosisAsLikely);

/// <summary>The full score for the clinician, with the patient-reported items it was built on.</summary>
public sealed record WellsResult(Guid EpisodeId, WellsExam Exam, PartialWells PatientReported, WellsScore Score, DateOnly? BasedOnCheckIn);

public static class RecordWellsExamEndpoint
{
    public static IResult Validate(Guid episodeId, WellsExamRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        errors.Require("deepVeinTenderness", request.DeepVeinTenderness);
        errors.Require("pittingOedema", request.PittingOedema);
        errors.Require("collateralVeins", request.CollateralVeins);
        errors.Require("alternativeDiagnosisAsLikely", request.AlternativeDiagnosisAsLikely);
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    /// <summary>
    /// Only a physiotherapist who examined the leg records these items; the full score is
    /// answered to them and kept on the episode for clinicians. Patients are never shown it.
    /// </summary>
    [WolverinePut("/api/episodes/{episodeId}/wells-exam", Name = "RecordWellsExam")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Put(Guid episodeId, WellsExamRequest request, [WriteEpisode] Episode episode, ClaimsPrincipal user, TimeProvider clock)
    {
        var exam = new WellsExam(request.DeepVeinTenderness!.Value, request.PittingOedema!.Value, request.CollateralVeins!.Value, request.AlternativeDiagnosisAsLikely!.Value);
        var latest = episode.Latest;
        var patientReported = Wells.Partial(episode.RiskFactors, latest);
        var score = Wells.Full(patientReported, exam);
        return (TypedResults.Ok(new WellsResult(episodeId, exam, patientReported, score, latest?.Day)),
            [new WellsExamRecorded(episodeId, exam, patientReported, score, Caller.From(user).UserId, clock.GetUtcNow())]);
    }
}
