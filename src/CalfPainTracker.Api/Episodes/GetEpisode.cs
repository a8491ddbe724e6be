using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Trends;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record LatestCheckIn(DateOnly Day, int PainLevel, Swelling Swelling);

public sealed record EpisodeSummary(
    Guid Id,
    Guid PatientId,
    Side Side,
    SuspectedCause SuspectedCause,
    DateOnly OnsetDate,
    string TimeZone,
    EpisodeStatus Status,
    CloseReason? CloseReason,
    int DaysTracked,
    int Corrections,
    int RemindersSent,
    LatestCheckIn? LatestCheckIn,
    int? CurrentPain,
    TrendDirection? Direction,
    IReadOnlyList<OpenAlertSummary> OpenAlerts,
    Guid? PhysiotherapistId,
    TreatmentPlan? Plan,
    RiskFactors RiskFactors)
{
    public static EpisodeSummary Of(Episode episode)
    {
        var latest = episode.Latest;
        return new EpisodeSummary(
            episode.Id,
            episode.PatientId,
            episode.Side,
            episode.SuspectedCause,
            episode.OnsetDate,
            episode.TimeZone,
            episode.Status,
            episode.CloseReason,
            episode.Days.Count,
            episode.Corrections,
            episode.RemindersSent,
            latest is null ? null : new LatestCheckIn(latest.Day, latest.PainLevel, latest.Swelling),
            latest?.PainLevel,
            RecoveryTrends.DirectionOf(episode.Days.Select(d => d.Pain).ToList()),
            episode.Alerts.Where(a => a.IsOpen).OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt)
                .Select(OpenAlertSummary.Of).ToList(),
            episode.PhysiotherapistId,
            episode.Plan,
            episode.RiskFactors);
    }
}

public static class GetEpisodeEndpoint
{
    [WolverineGet("/api/episodes/{episodeId}", Name = "GetEpisode")]
    public static async Task<IResult> Get(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "episode summary", clock, cancellation);
        return episode is null ? Problems.EpisodeNotFound(episodeId) : TypedResults.Ok(EpisodeSummary.Of(episode));
    }
}
