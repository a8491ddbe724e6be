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

/// <summary>
/// What a triage row needs of a patient's history, worked out as check-ins arrive so that a
/// physiotherapist's 500 patients are read without reading 500 histories.
/// </summary>
public sealed record TriageFacts(TrendDirection? Direction, decimal? AdherencePercent, IReadOnlyList<DayPain> RecentPain)
{
    public static readonly TriageFacts None = new(null, null, []);
}

/// <summary>A logged day as triage needs it: pain for the sparkline and direction, treatments for adherence.</summary>
public sealed record TriageDay(DateOnly Day, int PainLevel, decimal RestHours, int IceMinutes, int HeatMinutes, int StretchingMinutes) : ILoggedDay, ITreatmentDay
{
    public static TriageDay Of(CheckIn checkIn) =>
        new(checkIn.Day, checkIn.PainLevel, checkIn.RestHours, checkIn.IceMinutes, checkIn.HeatMinutes, checkIn.StretchingMinutes);
}

/// <summary>What a triage row is made of: the one part of <see cref="PatientTriage"/> the dashboard reads.</summary>
public sealed class TriageSource
{
    public Guid Id { get; set; }
    public Guid PatientId { get; set; }
    public Side Side { get; set; }
    public SuspectedCause SuspectedCause { get; set; }
    public DateOnly OnsetDate { get; set; }
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The open alerts only, as the row shows them: a resolved alert no longer decides where the patient sits.</summary>
    public List<OpenAlertSummary> OpenAlerts { get; set; } = [];

    public TriageFacts Facts { get; set; } = TriageFacts.None;
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
        Source.Facts = Triage.FactsOf(Days, Plan);
    }

    public void Follow(TreatmentPlan plan)
    {
        Plan = plan;
        Source.Facts = Triage.FactsOf(Days, Plan);
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

    /// <summary>Pure: the triage facts of logged days (in day order) under a plan.</summary>
    public static TriageFacts FactsOf(IReadOnlyList<TriageDay> days, TreatmentPlan? plan)
    {
        // Whatever "today" is when the dashboard is read, it is on or after the last check-in,
        // so the sparkline never needs days older than the fortnight before it.
        var recent = days.Count == 0 ? [] : days.Where(d => d.Day.DayNumber > days[^1].Day.DayNumber - SparklineDays).Select(d => new DayPain(d.Day, d.PainLevel)).ToList();
        return new TriageFacts(RecoveryTrends.DirectionOf(days.Select(d => d.PainLevel).ToList()), RecoveryTrends.OverallAdherence(days, plan)?.Mean(), recent);
    }

    /// <summary>Pure: a row from the episode's triage facts and today's date in the patient's zone.</summary>
    public static TriageRow Row(TriageSource episode, DateOnly today)
    {
        var facts = episode.Facts;
        var last = facts.RecentPain.Count > 0 ? facts.RecentPain[^1] : null;
        var open = episode.OpenAlerts.OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt).ToList();
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
}
