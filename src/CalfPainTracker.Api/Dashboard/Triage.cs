using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;
using Marten.Events.Aggregation;

namespace CalfPainTracker.Dashboard;

/// <summary>Who needs the physiotherapist first: the order of the dashboard's groups.</summary>
public enum TriageGroup { Emergency, Urgent, Worsening, MissedCheckIns, Others }

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

/// <summary>A logged day as triage needs it: pain for the sparkline and direction, treatments for adherence.</summary>
public sealed record TriageDay(DateOnly Day, int PainLevel, decimal RestHours, int IceMinutes, int HeatMinutes, int StretchingMinutes) : ILoggedDay, ITreatmentDay
{
    public static TriageDay Of(CheckIn checkIn) =>
        new(checkIn.Day, checkIn.PainLevel, checkIn.RestHours, checkIn.IceMinutes, checkIn.HeatMinutes, checkIn.StretchingMinutes);
}

/// <summary>
/// What a triage row is made of: the one part of <see cref="PatientTriage"/> the dashboard reads.
/// Everything the row shows but what depends on today's date is worked out as the episode
/// changes, so that reading a physiotherapist's 500 patients is a copy and a few additions per
/// row rather than 500 histories.
/// </summary>
public sealed class TriageSource
{
    public Guid Id { get; set; }
    public Guid PatientId { get; set; }
    public Side Side { get; set; }
    public SuspectedCause SuspectedCause { get; set; }
    public DateOnly OnsetDate { get; set; }
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The open alerts only, in the order raised: a resolved alert no longer decides where the patient sits.</summary>
    public List<OpenAlertSummary> OpenAlerts { get; set; } = [];

    public TrendDirection? Direction { get; set; }
    public decimal? AdherencePercent { get; set; }
    public DateOnly? LastCheckIn { get; set; }
    public int? LatestPain { get; set; }

    /// <summary>
    /// The pain of the <see cref="Triage.SparklineDays"/> days that end on <see cref="LastCheckIn"/>,
    /// oldest first, null for a day not logged: the sparkline, as it looks on the day of the last check-in.
    /// </summary>
    public int?[] RecentPain { get; set; } = [];
}

/// <summary>
/// One episode as the dashboard sees it, kept inline with the episode's stream. A document of its
/// own, and small (a few numbers per logged day), because a physiotherapist's page reads hundreds
/// of them at once: read from inside the episode document, every field cost PostgreSQL a
/// decompression of the whole check-in history.
/// </summary>
public sealed class PatientTriage
{
    public Guid Id { get; set; }
    public Guid? PhysiotherapistId { get; set; }
    public EpisodeStatus Status { get; set; }
    public TreatmentPlan? Plan { get; set; }

    /// <summary>The latest version of each logged day, in day order.</summary>
    public List<TriageDay> Days { get; set; } = [];

    public TriageSource Source { get; set; } = new();

    public void Record(CheckIn checkIn)
    {
        LoggedDays.Put(Days, TriageDay.Of(checkIn));
        Triage.Summarise(Source, Days, Plan);
    }

    public void Follow(TreatmentPlan plan)
    {
        Plan = plan;
        Triage.Summarise(Source, Days, Plan);
    }

    public void ChangeOpenAlert(Guid id, Func<OpenAlertSummary, OpenAlertSummary> change)
    {
        var index = Source.OpenAlerts.FindIndex(a => a.Id == id);
        if (index >= 0) Source.OpenAlerts[index] = change(Source.OpenAlerts[index]);
    }
}

public sealed partial class PatientTriageProjection : SingleStreamProjection<PatientTriage, Guid>
{
    public static PatientTriage Create(EpisodeOpened e) => new()
    {
        Id = e.EpisodeId,
        Status = EpisodeStatus.Open,
        Source = new TriageSource
        {
            Id = e.EpisodeId,
            PatientId = e.PatientId,
            Side = e.Side,
            SuspectedCause = e.SuspectedCause,
            OnsetDate = e.OnsetDate,
            TimeZone = e.TimeZone,
        },
    };

    public static void Apply(PhysiotherapistAssigned e, PatientTriage triage) => triage.PhysiotherapistId = e.PhysiotherapistId;

    public static void Apply(EpisodeClosed e, PatientTriage triage) => triage.Status = EpisodeStatus.Closed;

    public static void Apply(TreatmentPlanSet e, PatientTriage triage) => triage.Follow(e.Plan);

    public static void Apply(CheckInLogged e, PatientTriage triage) => triage.Record(e.CheckIn);

    public static void Apply(CheckInCorrected e, PatientTriage triage) => triage.Record(e.CheckIn);

    public static void Apply(AlertRaised e, PatientTriage triage) =>
        triage.Source.OpenAlerts.Add(new OpenAlertSummary(e.AlertId, e.Rule, e.Severity, e.Title, e.RaisedAt, Escalated: false));

    public static void Apply(AlertSeverityRaised e, PatientTriage triage) =>
        triage.ChangeOpenAlert(e.AlertId, a => a with { Severity = e.Severity, Title = e.Title, Escalated = false });

    public static void Apply(AlertEscalatedToClinic e, PatientTriage triage) => triage.ChangeOpenAlert(e.AlertId, a => a with { Escalated = true });

    public static void Apply(AlertResolved e, PatientTriage triage) => triage.Source.OpenAlerts.RemoveAll(a => a.Id == e.AlertId);

    public static void Apply(AlertCleared e, PatientTriage triage) => triage.Source.OpenAlerts.RemoveAll(a => a.Id == e.AlertId);
}

public static class Triage
{
    public const int SparklineDays = 14;

    /// <summary>No check-in for this many days puts the patient in the missed check-ins group.</summary>
    public const int MissedAfterDays = 2;

    /// <summary>What the row shows of the logged days (in day order) under a plan, whatever day it is read.</summary>
    public static void Summarise(TriageSource source, IReadOnlyList<TriageDay> days, TreatmentPlan? plan)
    {
        var pains = new int[days.Count];
        for (var i = 0; i < days.Count; i++) pains[i] = days[i].PainLevel;
        source.Direction = RecoveryTrends.DirectionOf(pains);
        source.AdherencePercent = RecoveryTrends.OverallAdherence(days, plan)?.Mean();
        if (days.Count == 0) return;

        var last = days[^1];
        source.LastCheckIn = last.Day;
        source.LatestPain = last.PainLevel;
        // Whatever "today" is when the dashboard is read, it is on or after the last check-in,
        // so the sparkline never needs days older than the fortnight before it.
        var recent = new int?[SparklineDays];
        for (var i = days.Count - 1; i >= 0; i--)
        {
            var daysBefore = last.Day.DayNumber - days[i].Day.DayNumber;
            if (daysBefore >= SparklineDays) break;
            recent[SparklineDays - 1 - daysBefore] = days[i].PainLevel;
        }
        source.RecentPain = recent;
    }

    /// <summary>Pure: a row from the episode's summary and today's date in the patient's zone.</summary>
    public static TriageRow Row(TriageSource episode, DateOnly today)
    {
        var sparkline = new int?[SparklineDays];
        if (episode.LastCheckIn is { } last)
        {
            // The stored fortnight ends on the last check-in, the sparkline on today.
            var shift = today.DayNumber - last.DayNumber;
            for (var i = 0; i < SparklineDays; i++)
            {
                var stored = i + shift;
                if (stored >= 0 && stored < episode.RecentPain.Length) sparkline[i] = episode.RecentPain[stored];
            }
        }
        IReadOnlyList<OpenAlertSummary> open = episode.OpenAlerts.Count > 1
            ? [.. episode.OpenAlerts.OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt)]
            : episode.OpenAlerts;
        var sinceCheckIn = today.DayNumber - (episode.LastCheckIn ?? episode.OnsetDate).DayNumber;

        return new TriageRow(
            episode.Id,
            episode.PatientId,
            episode.Side,
            episode.SuspectedCause,
            today.DayNumber - episode.OnsetDate.DayNumber + 1,
            episode.LatestPain,
            episode.Direction,
            sparkline,
            open,
            episode.AdherencePercent,
            episode.LastCheckIn,
            sinceCheckIn,
            GroupOf(open, episode.Direction, sinceCheckIn));
    }

    public static IReadOnlyList<TriageRow> Order(IEnumerable<TriageRow> rows) =>
        rows.OrderBy(r => r.Triage)
            .ThenByDescending(r => r.OpenAlerts.Count > 0 ? r.OpenAlerts.Max(a => a.RaisedAt) : DateTimeOffset.MinValue)
            .ThenByDescending(r => r.LatestPain ?? -1)
            // Patients alike in all of that keep one order (their episodes' ids, which grow with time):
            // otherwise the order the database hands the rows over decides, and a rebuild reshuffles them.
            .ThenBy(r => r.EpisodeId)
            .ToList();

    /// <param name="open">Most severe first.</param>
    private static TriageGroup GroupOf(IReadOnlyList<OpenAlertSummary> open, TrendDirection? direction, int daysSinceCheckIn) =>
        open.Count > 0 && open[0].Severity == Severity.Emergency ? TriageGroup.Emergency
        : open.Count > 0 && open[0].Severity == Severity.Urgent ? TriageGroup.Urgent
        : direction == TrendDirection.Worsening ? TriageGroup.Worsening
        : daysSinceCheckIn >= MissedAfterDays ? TriageGroup.MissedCheckIns
        : TriageGroup.Others;
}
