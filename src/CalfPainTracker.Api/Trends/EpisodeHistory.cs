using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using Marten;

namespace CalfPainTracker.Trends;

/// <summary>
/// The episode's whole history as of now, folded live from its events: for the check-in list
/// and the exports, which must show the check-in logged a moment ago and need every answer of
/// every day (the inline episode and the trend read model keep only what they compute with).
/// </summary>
public sealed class EpisodeHistory
{
    public Guid Id { get; set; }

    /// <summary>The latest version of each logged day, in day order.</summary>
    public List<CheckIn> Days { get; set; } = [];
    public TreatmentPlan? Plan { get; set; }
    public List<LefsScore> Lefs { get; set; } = [];

    public RecoveryTrend Compute() => RecoveryTrends.Compute(Days, Plan, Lefs);

    public static async Task<EpisodeHistory> Of(IQuerySession session, Guid episodeId, CancellationToken cancellation) =>
        await session.Events.AggregateStreamAsync<EpisodeHistory>(episodeId, token: cancellation) ?? new EpisodeHistory { Id = episodeId };

    public void Apply(EpisodeOpened e) => Id = e.EpisodeId;

    public void Apply(CheckInLogged e) => LoggedDays.Put(Days, e.CheckIn);

    public void Apply(CheckInCorrected e) => LoggedDays.Put(Days, e.CheckIn);

    public void Apply(TreatmentPlanSet e) => Plan = e.Plan;

    public void Apply(LefsAnswered e) => Lefs.Add(new LefsScore(e.Day, e.Total));
}
