using System.Globalization;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using Marten;
using Marten.Events.Projections;

namespace CalfPainTracker.Trends;

/// <summary>
/// The trend read model of one calendar month of an episode: what the trend maths needs (the
/// latest version of each day, the LEFS scores, a plan set that month) gathered by an async
/// projection. Stored a month to a document because the daemon reads and rewrites the document
/// an event lands in: with the whole episode in one, each check-in of a 300-day recovery rewrote
/// 14 KB, and the cost of a check-in grew with the length of the recovery. A month is at most 31
/// days whatever the length. Each day keeps only the figures the maths reads (<see cref="RecoveryDay"/>).
/// </summary>
public sealed class EpisodeTrendMonth
{
    /// <summary><c>{episodeId}/{yyyy-MM}</c>.</summary>
    public string Id { get; set; } = "";

    public Guid EpisodeId { get; set; }

    /// <summary>The latest version of each logged day of the month, in day order.</summary>
    public List<RecoveryDay> Days { get; set; } = [];

    public List<LefsScore> Lefs { get; set; } = [];

    /// <summary>The last plan set in this month, if any; the episode's plan is the latest of its months'.</summary>
    public TreatmentPlan? Plan { get; set; }

    public DateTimeOffset? PlanSetAt { get; set; }

    public static string IdOf(Guid episodeId, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{episodeId}/{day:yyyy-MM}");
}

/// <summary>
/// The whole episode's trend inputs, gathered from its months when the trend is read. The maths
/// runs here, not in the projection: it is cheap for one episode, and doing it per event would
/// make a rebuild quadratic in the length of each recovery.
/// </summary>
public sealed record EpisodeTrend(IReadOnlyList<RecoveryDay> Days, TreatmentPlan? Plan, IReadOnlyList<LefsScore> Lefs)
{
    public static async Task<EpisodeTrend> Load(IQuerySession session, Guid episodeId, CancellationToken cancellation) =>
        Of(await session.Query<EpisodeTrendMonth>().Where(m => m.EpisodeId == episodeId).ToListAsync(cancellation));

    public static EpisodeTrend Of(IEnumerable<EpisodeTrendMonth> months)
    {
        var inOrder = months.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        return new EpisodeTrend(
            [.. inOrder.SelectMany(m => m.Days)],
            inOrder.Where(m => m.PlanSetAt is not null).MaxBy(m => m.PlanSetAt)?.Plan,
            [.. inOrder.SelectMany(m => m.Lefs)]);
    }

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

/// <summary>
/// A check-in and a correction go to the month of the day they are about, so a correction of an
/// old day rewrites that month only; a LEFS answer to the month of its day; a plan to the month
/// (UTC) it was set in.
/// </summary>
public sealed partial class EpisodeTrendProjection : MultiStreamProjection<EpisodeTrendMonth, string>
{
    public const string Shard = "EpisodeTrendMonth:All";

    public EpisodeTrendProjection()
    {
        Identity<CheckInLogged>(e => EpisodeTrendMonth.IdOf(e.EpisodeId, e.CheckIn.Day));
        Identity<CheckInCorrected>(e => EpisodeTrendMonth.IdOf(e.EpisodeId, e.CheckIn.Day));
        Identity<LefsAnswered>(e => EpisodeTrendMonth.IdOf(e.EpisodeId, e.Day));
        Identity<TreatmentPlanSet>(e => EpisodeTrendMonth.IdOf(e.EpisodeId, PlanMonth(e)));
    }

    /// <summary>
    /// The episode's events the daemon has not reached yet. Counted against the daemon's progress,
    /// not the months': the trend skips events it has no use for (an escalation, say).
    /// </summary>
    public static async Task<long> EventsBehind(IQuerySession session, Guid episodeId, CancellationToken cancellation)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var counts = await session.AdvancedSql.QueryAsync<long>(
            $"select count(*) from {schema}.mt_events where stream_id = ? and seq_id > coalesce((select last_seq_id from {schema}.mt_event_progression where name = ?), 0)",
            cancellation, episodeId, Shard);
        return counts[0];
    }

    public static void Apply(CheckInLogged e, EpisodeTrendMonth month) =>
        LoggedDays.Put(Place(month, e.EpisodeId, e.CheckIn.Day).Days, RecoveryDay.Of(e.CheckIn));

    public static void Apply(CheckInCorrected e, EpisodeTrendMonth month) =>
        LoggedDays.Put(Place(month, e.EpisodeId, e.CheckIn.Day).Days, RecoveryDay.Of(e.CheckIn));

    public static void Apply(TreatmentPlanSet e, EpisodeTrendMonth month)
    {
        Place(month, e.EpisodeId, PlanMonth(e));
        month.Plan = e.Plan;
        month.PlanSetAt = e.SetAt;
    }

    public static void Apply(LefsAnswered e, EpisodeTrendMonth month) => Place(month, e.EpisodeId, e.Day).Lefs.Add(LefsScore.Of(e));

    private static DateOnly PlanMonth(TreatmentPlanSet e) => DateOnly.FromDateTime(e.SetAt.UtcDateTime);

    /// <summary>A month met for the first time is a blank document: it learns whose and which month it is from its first event.</summary>
    private static EpisodeTrendMonth Place(EpisodeTrendMonth month, Guid episodeId, DateOnly day)
    {
        month.Id = EpisodeTrendMonth.IdOf(episodeId, day);
        month.EpisodeId = episodeId;
        return month;
    }
}
