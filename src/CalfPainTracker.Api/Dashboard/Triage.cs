using System.Linq.Expressions;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;

namespace CalfPainTracker.Dashboard;

/// <summary>Who needs the physiotherapist first: the order of the dashboard's groups.</summary>
public enum TriageGroup { Emergency, Urgent, Worsening, MissedCheckIns, Others }

public sealed record OpenAlertSummary(Guid Id, AlertRule Rule, Severity Severity, string Title, DateTimeOffset RaisedAt, bool Escalated);

/// <summary>One patient's row: enough to decide in seconds whether to open their record.</summary>
public sealed record TriageRow(
    Guid EpisodeId,
    Guid PatientId,
    Side Side,
    SuspectedCause SuspectedCause,
    int DayOfRecovery,
    int? LatestPain,
    TrendDirection? Direction,
    IReadOnlyList<int?> Sparkline,
    IReadOnlyList<OpenAlertSummary> OpenAlerts,
    decimal? AdherencePercent,
    DateOnly? LastCheckIn,
    int DaysSinceCheckIn,
    TriageGroup Triage);

/// <summary>A logged day's pain, for the sparkline.</summary>
public sealed record DayPain(DateOnly Day, int Pain);

/// <summary>
/// What a triage row needs of a patient's history, kept on the episode as check-ins arrive so
/// that a physiotherapist's 500 patients are read without reading 500 histories.
/// </summary>
public sealed record TriageFacts(TrendDirection? Direction, decimal? AdherencePercent, IReadOnlyList<DayPain> RecentPain)
{
    public static readonly TriageFacts None = new(null, null, []);
}

/// <summary>The episode fields a triage row is made of: all the dashboard selects from the database.</summary>
public sealed class TriageSource
{
    public Guid Id { get; set; }
    public Guid PatientId { get; set; }
    public Side Side { get; set; }
    public SuspectedCause SuspectedCause { get; set; }
    public DateOnly OnsetDate { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public List<Alert> Alerts { get; set; } = [];
    public TriageFacts Triage { get; set; } = TriageFacts.None;

    /// <summary>An expression, so the database selects just these fields.</summary>
    public static readonly Expression<Func<Episode, TriageSource>> FromEpisode = episode => new TriageSource
    {
        Id = episode.Id,
        PatientId = episode.PatientId,
        Side = episode.Side,
        SuspectedCause = episode.SuspectedCause,
        OnsetDate = episode.OnsetDate,
        TimeZone = episode.TimeZone,
        Alerts = episode.Alerts,
        Triage = episode.Triage,
    };

    private static readonly Func<Episode, TriageSource> Select = FromEpisode.Compile();

    public static TriageSource Of(Episode episode) => Select(episode);
}

public static class Triage
{
    public const int SparklineDays = 14;

    /// <summary>No check-in for this many days puts the patient in the missed check-ins group.</summary>
    public const int MissedAfterDays = 2;

    /// <summary>Pure: the triage facts of logged days (in day order) under a plan.</summary>
    public static TriageFacts FactsOf(IReadOnlyList<CheckIn> days, TreatmentPlan? plan)
    {
        // Whatever "today" is when the dashboard is read, it is on or after the last check-in,
        // so the sparkline never needs days older than the fortnight before it.
        var recent = days.Count == 0 ? [] : days.Where(d => d.Day.DayNumber > days[^1].Day.DayNumber - SparklineDays).Select(d => new DayPain(d.Day, d.PainLevel)).ToList();
        return new TriageFacts(RecoveryTrends.DirectionOf(days), AdherenceOf(RecoveryTrends.OverallAdherence(days, plan)), recent);
    }

    /// <summary>Pure: a row from the episode's triage facts and today's date in the patient's zone.</summary>
    public static TriageRow Row(TriageSource episode, DateOnly today)
    {
        var facts = episode.Triage;
        var last = facts.RecentPain.Count > 0 ? facts.RecentPain[^1] : null;
        var open = episode.Alerts.Where(a => a.IsOpen).OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt)
            .Select(a => new OpenAlertSummary(a.Id, a.Rule, a.Severity, a.Title, a.RaisedAt, a.EscalatedAt is not null)).ToList();
        var byDay = facts.RecentPain.ToDictionary(d => d.Day, d => d.Pain);
        var sparkline = Enumerable.Range(0, SparklineDays)
            .Select(i => byDay.TryGetValue(today.AddDays(i - SparklineDays + 1), out var pain) ? pain : (int?)null)
            .ToList();
        var sinceCheckIn = today.DayNumber - (last?.Day ?? episode.OnsetDate).DayNumber;

        return new TriageRow(
            episode.Id,
            episode.PatientId,
            episode.Side,
            episode.SuspectedCause,
            today.DayNumber - episode.OnsetDate.DayNumber + 1,
            last?.Pain,
            facts.Direction,
            sparkline,
            open,
            facts.AdherencePercent,
            last?.Day,
            sinceCheckIn,
            GroupOf(open, facts.Direction, sinceCheckIn));
    }

    public static IReadOnlyList<TriageRow> Order(IEnumerable<TriageRow> rows) =>
        rows.OrderBy(r => r.Triage)
            .ThenByDescending(r => r.OpenAlerts.Count > 0 ? r.OpenAlerts.Max(a => a.RaisedAt) : DateTimeOffset.MinValue)
            .ThenByDescending(r => r.LatestPain ?? -1)
            .ToList();

    private static TriageGroup GroupOf(List<OpenAlertSummary> open, TrendDirection? direction, int daysSinceCheckIn) =>
        open.Any(a => a.Severity == Severity.Emergency) ? TriageGroup.Emergency
        : open.Any(a => a.Severity == Severity.Urgent) ? TriageGroup.Urgent
        : direction == TrendDirection.Worsening ? TriageGroup.Worsening
        : daysSinceCheckIn >= MissedAfterDays ? TriageGroup.MissedCheckIns
        : TriageGroup.Others;

    /// <summary>The mean of the plan's treatments the patient kept to, over the whole episode.</summary>
    private static decimal? AdherenceOf(AdherenceFigures? overall)
    {
        if (overall is not { } a) return null;
        decimal?[] figures = [a.RestPercent, a.IcePercent, a.HeatPercent, a.StretchingPercent];
        var known = figures.OfType<decimal>().ToList();
        return known.Count == 0 ? null : Math.Round(known.Average(), 1, MidpointRounding.AwayFromZero);
    }
}
