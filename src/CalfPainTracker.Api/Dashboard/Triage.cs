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

public static class Triage
{
    public const int SparklineDays = 14;

    /// <summary>No check-in for this many days puts the patient in the missed check-ins group.</summary>
    public const int MissedAfterDays = 2;

    /// <summary>Pure: a row from the episode's state and today's date in the patient's zone.</summary>
    public static TriageRow Row(Episode episode, DateOnly today)
    {
        var trend = RecoveryTrends.Compute(episode.CheckIns, episode.Plan, []);
        var last = episode.CheckIns.Count > 0 ? episode.CheckIns[^1] : null;
        var open = episode.Alerts.Where(a => a.IsOpen).OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt)
            .Select(a => new OpenAlertSummary(a.Id, a.Rule, a.Severity, a.Title, a.RaisedAt, a.EscalatedAt is not null)).ToList();
        var byDay = episode.CheckIns.ToDictionary(c => c.Day, c => c.PainLevel);
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
            last?.PainLevel,
            trend.Direction,
            sparkline,
            open,
            AdherenceOf(trend),
            last?.Day,
            sinceCheckIn,
            GroupOf(open, trend.Direction, sinceCheckIn));
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
    private static decimal? AdherenceOf(RecoveryTrend trend)
    {
        if (trend.Adherence?.Overall is not { } a) return null;
        decimal?[] figures = [a.RestPercent, a.IcePercent, a.HeatPercent, a.StretchingPercent];
        var known = figures.OfType<decimal>().ToList();
        return known.Count == 0 ? null : Math.Round(known.Average(), 1, MidpointRounding.AwayFromZero);
    }
}
