using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using Marten.Events.Aggregation;

namespace CalfPainTracker.Trends;

/// <summary>
/// The trend read model of one episode: what the trend maths needs (the latest version of
/// each day, the plan, the LEFS scores) gathered from the stream by an async projection.
/// The maths runs when the trend is read: it is cheap for one episode, and doing it per
/// event would make a rebuild quadratic in the length of each recovery.
/// </summary>
public sealed class EpisodeTrend
{
    public Guid Id { get; set; }

    /// <summary>The stream version this read model has caught up to; compared with the episode's to say how stale it is.</summary>
    public long Version { get; set; }

    public List<CheckIn> Days { get; set; } = [];
    public TreatmentPlan? Plan { get; set; }
    public List<LefsScore> Lefs { get; set; } = [];

    public RecoveryTrend Compute() => RecoveryTrends.Compute(Days, Plan, Lefs);
}

public sealed partial class EpisodeTrendProjection : SingleStreamProjection<EpisodeTrend, Guid>
{
    public static EpisodeTrend Create(EpisodeOpened e) => new() { Id = e.EpisodeId };

    public static void Apply(CheckInLogged e, EpisodeTrend trend) => Record(trend, e.CheckIn);

    public static void Apply(CheckInCorrected e, EpisodeTrend trend) => Record(trend, e.CheckIn);

    public static void Apply(TreatmentPlanSet e, EpisodeTrend trend) => trend.Plan = e.Plan;

    public static void Apply(LefsAnswered e, EpisodeTrend trend) => trend.Lefs.Add(new LefsScore(e.Day, e.Total));

    private static void Record(EpisodeTrend trend, CheckIn checkIn)
    {
        var index = trend.Days.FindIndex(d => d.Day == checkIn.Day);
        if (index >= 0) trend.Days[index] = checkIn; else trend.Days.Add(checkIn);
    }
}
