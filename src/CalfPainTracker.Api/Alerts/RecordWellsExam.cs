using System.Security.Claims;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Alerts;

public sealed record WellsExamRequest(bool? DeepVeinTenderness, bool? PittingOedema, bool? CollateralVeins, bool? AlternativeDiagnosisAsLikely);

/// <summary>The full score for the clinician, with the patient-reported items it was built on.</summary>
public sealed record WellsResult(Guid EpisodeId, WellsExam Exam, PartialWells PatientReported, WellsScore Score, DateOnly? BasedOnCheckIn);

public static class RecordWellsExamEndpoint
{
    /// <summary>
    /// Only a physiotherapist who examined the leg records these items; the full score is
    /// answered to them and kept on the episode for clinicians. Patients are never shown it.
    /// </summary>
    [WolverinePut("/api/episodes/{episodeId}/wells-exam", Name = "RecordWellsExam")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Put(
        Guid episodeId, WellsExamRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var tenderness = errors.Require("deepVeinTenderness", request.DeepVeinTenderness);
        var oedema = errors.Require("pittingOedema", request.PittingOedema);
        var veins = errors.Require("collateralVeins", request.CollateralVeins);
        var alternative = errors.Require("alternativeDiagnosisAsLikely", request.AlternativeDiagnosisAsLikely);
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;
        var episode = stream.Aggregate!;

        var exam = new WellsExam(tenderness!.Value, oedema!.Value, veins!.Value, alternative!.Value);
        var latest = episode.Latest;
        var patientReported = Wells.Partial(episode.RiskFactors, latest);
        var score = Wells.Full(patientReported, exam);
        stream.AppendOne(new WellsExamRecorded(episodeId, exam, patientReported, score, caller.UserId, clock.GetUtcNow()));
        return TypedResults.Ok(new WellsResult(episodeId, exam, patientReported, score, latest?.Day));
    }
}
