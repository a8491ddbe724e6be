using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using JasperFx.Events;
using Marten;

namespace CalfPainTracker.Trends;

/// <summary>
/// The episode's whole history as of now, folded from its events when asked: for the check-in
/// list and the exports, which must show the check-in logged a moment ago and need every answer
/// of every day (the inline episode and the trend read model keep only what they compute with).
/// </summary>
public sealed class EpisodeHistory
{
    public required Guid Id { get; init; }

    /// <summary>The latest version of each logged day, in day order.</summary>
    public List<CheckIn> Days { get; } = [];

    public TreatmentPlan? Plan { get; private set; }

    /// <summary>Each LEFS questionnaire with its answers, as answered.</summary>
    public List<LefsAnswered> Lefs { get; } = [];

    public RecoveryTrend Compute() => RecoveryTrends.Compute(Days, Plan, [.. Lefs.Select(LefsScore.Of)]);

    public static async Task<EpisodeHistory> Of(IQuerySession session, Guid episodeId, CancellationToken cancellation) =>
        From(episodeId, await session.Events.FetchStreamAsync(episodeId, token: cancellation));

    /// <summary>For a caller that reads the stream for more than the history: one read, not two.</summary>
    public static EpisodeHistory From(Guid episodeId, IEnumerable<IEvent> stream)
    {
        var history = new EpisodeHistory { Id = episodeId };
        foreach (var e in stream)
        {
            switch (e.Data)
            {
                case CheckInLogged logged: LoggedDays.Put(history.Days, logged.CheckIn); break;
                case CheckInCorrected corrected: LoggedDays.Put(history.Days, corrected.CheckIn); break;
                case TreatmentPlanSet plan: history.Plan = plan.Plan; break;
                case LefsAnswered lefs: history.Lefs.Add(lefs); break;
            }
        }
        return history;
    }
}
