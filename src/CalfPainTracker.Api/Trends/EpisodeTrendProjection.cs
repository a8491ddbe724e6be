using CalfPainTracker.CheckIns;
using CalfPainTracker.PatientRights;
using CalfPainTracker.Episodes;
using Marten;
using Marten.Events.Aggregation;

namespace CalfPainTracker.Trends;

/// <summary>
/// The trend read model of one episode: what the trend maths needs (the latest version of
/// each day, the plan, the LEFS scores) gathered from the stream by an async projection.
/// The maths runs when the trend is read: it is cheap for one episode, and doing it per
/// event would make a rebuild quadratic in the length of each recovery. Each day keeps only
/// the figures the maths reads (<see cref="RecoveryDay"/>), not the check-in: the daemon reads
/// and rewrites this document for every check-in, and a 300-day recovery's check-ins in full
/// were 140 KB of it.
/// </summary>
public sealed class EpisodeTrend
{
    public Guid Id { get; set; }

    /// <summary>The stream version this read model has caught up to; compared with the episode's to say how stale it is.</summary>
    public long Version { get; set; }

    /// <summary>The latest version of each logged day, in day order.</summary>
    public List<RecoveryDay> Days { get; set; } = [];
    public TreatmentPlan? Plan { get; set; }
    public List<LefsScore> Lefs { get; set; } = [];

    public RecoveryTrend Compute() => RecoveryTrends.Compute(Days, Plan, Lefs);
}

/// <summary>The figures of one logged day that the recovery maths reads; none of the patient's words.</summary>
public sealed record RecoveryDay(
    DateOnly Day,
    int PainLevel,
    Swelling Swelling,
    bool HasSwelling,
    decimal RestHours,
    int IceMinutes,
    int HeatMinutes,
    int StretchingMinutes,
    bool NsaidTaken) : IRecoveryDay
{
    public static RecoveryDay Of(CheckIn checkIn) => new(
        checkIn.Day,
        checkIn.PainLevel,
        checkIn.Swelling,
        checkIn.HasSwelling,
        checkIn.RestHours,
        checkIn.IceMinutes,
        checkIn.HeatMinutes,
        checkIn.StretchingMinutes,
        checkIn.NsaidTaken);
}

public sealed partial class EpisodeTrendProjection : SingleStreamProjection<EpisodeTrend, Guid>
{
    public const string Shard = "EpisodeTrend:All";

    /// <summary>
    /// The episode's events the daemon has not reached yet. Counted against the daemon's progress,
    /// not the trend's version: the trend skips events it has no use for (an escalation, say), so
    /// its version can trail the stream's for good while being fully current.
    /// </summary>
    public static async Task<long> EventsBehind(IQuerySession session, Guid episodeId, CancellationToken cancellation)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var counts = await session.AdvancedSql.QueryAsync<long>(
            $"select count(*) from {schema}.mt_events where stream_id = ? and seq_id > coalesce((select last_seq_id from {schema}.mt_event_progression where name = ?), 0)",
            cancellation, episodeId, Shard);
        return counts[0];
    }

    public static EpisodeTrend Create(EpisodeOpened e) => new() { Id = e.EpisodeId };

    public static void Apply(CheckInLogged e, EpisodeTrend trend) => LoggedDays.Put(trend.Days, RecoveryDay.Of(e.CheckIn));

    public static void Apply(CheckInCorrected e, EpisodeTrend trend) => LoggedDays.Put(trend.Days, RecoveryDay.Of(e.CheckIn));

    public static void Apply(TreatmentPlanSet e, EpisodeTrend trend) => trend.Plan = e.Plan;

    public static void Apply(LefsAnswered e, EpisodeTrend trend) => trend.Lefs.Add(LefsScore.Of(e));

    /// <summary>
    /// The last event of an erased stream. This model holds none of the patient's words, but a
    /// document stored before its days were kept as figures held whole check-ins, notes and all:
    /// handling the erasure makes the daemon rewrite it, in the form that has none.
    /// </summary>
    public static void Apply(PatientDataErased e, EpisodeTrend trend)
    {
    }
}
