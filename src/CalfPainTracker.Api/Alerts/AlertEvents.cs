namespace CalfPainTracker.Alerts;

public enum AlertStatus { Open, Acknowledged, Resolved, Cleared }

/// <summary>A rule found something; raised in the same transaction as the check-in that showed it.</summary>
public sealed record AlertRaised(
    Guid EpisodeId,
    Guid AlertId,
    AlertRule Rule,
    Severity Severity,
    string Title,
    string Advice,
    IReadOnlyList<DateOnly> Evidence,
    string Source,
    PartialWells? Wells,
    Guid? CheckInId,
    DateTimeOffset RaisedAt);

/// <summary>The condition behind an alert that is still open showed again; the alert gathers the evidence instead of repeating.</summary>
public sealed record AlertEvidenceAdded(Guid EpisodeId, Guid AlertId, IReadOnlyList<DateOnly> Evidence, PartialWells? Wells, Guid? CheckInId, DateTimeOffset At);

/// <summary>An open alert became more serious (never less).</summary>
public sealed record AlertSeverityRaised(Guid EpisodeId, Guid AlertId, Severity Severity, string Title, string Advice, Guid? CheckInId, DateTimeOffset At);

public sealed record AlertAcknowledged(Guid EpisodeId, Guid AlertId, Guid By, DateTimeOffset At);

public sealed record AlertResolved(Guid EpisodeId, Guid AlertId, Guid By, string Note, DateTimeOffset At);

/// <summary>
/// The service closed an advice alert whose condition has not shown on the patient's later
/// check-ins. Never for urgent or emergency alerts: only a clinician closes those.
/// </summary>
public sealed record AlertCleared(Guid EpisodeId, Guid AlertId, string Reason, DateTimeOffset At);

/// <summary>An urgent or emergency alert was not acknowledged in time and was passed to the clinic.</summary>
public sealed record AlertEscalatedToClinic(Guid EpisodeId, Guid AlertId, TimeSpan Unacknowledged, DateTimeOffset At);

/// <summary>A clinician examined the leg and recorded the clinician-only Wells items.</summary>
public sealed record WellsExamRecorded(Guid EpisodeId, WellsExam Exam, PartialWells PatientReported, WellsScore Score, Guid By, DateTimeOffset At);

/// <summary>An open alert in a list of patients or on an episode's summary.</summary>
public sealed record OpenAlertSummary(Guid Id, AlertRule Rule, Severity Severity, string Title, DateTimeOffset RaisedAt, bool Escalated)
{
    public static OpenAlertSummary Of(Alert alert) => new(alert.Id, alert.Rule, alert.Severity, alert.Title, alert.RaisedAt, alert.EscalatedAt is not null);
}

/// <summary>
/// An alert as the episode holds it: a value that each of its events turns into the next one
/// (<c>After</c>), so deciding on a loaded episode never changes it. Evidence is never changed in
/// place; a new day makes a new list.
/// </summary>
public sealed record Alert
{
    public Guid Id { get; init; }
    public Guid EpisodeId { get; init; }
    public AlertRule Rule { get; init; }
    public Severity Severity { get; init; }
    public string Title { get; init; } = "";
    public string Advice { get; init; } = "";
    public List<DateOnly> Evidence { get; init; } = [];
    public string Source { get; init; } = "";
    public PartialWells? PartialWells { get; init; }
    public DateTimeOffset RaisedAt { get; init; }
    public AlertStatus Status { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public Guid? AcknowledgedBy { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public Guid? ResolvedBy { get; init; }
    public string? ResolutionNote { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public DateTimeOffset? ClearedAt { get; init; }
    public string? ClearedReason { get; init; }

    /// <summary>When the alert last became more serious: its current severity has waited since then.</summary>
    public DateTimeOffset? SeverityRaisedAt { get; init; }

    /// <summary>Still asks for a clinician's attention: neither resolved by one nor cleared by the service.</summary>
    public bool IsOpen => Status is AlertStatus.Open or AlertStatus.Acknowledged;

    public static Alert From(AlertRaised e) => new()
    {
        Id = e.AlertId,
        EpisodeId = e.EpisodeId,
        Rule = e.Rule,
        Severity = e.Severity,
        Title = e.Title,
        Advice = e.Advice,
        Evidence = [.. e.Evidence],
        Source = e.Source,
        PartialWells = e.Wells,
        RaisedAt = e.RaisedAt,
        Status = AlertStatus.Open,
    };

    public Alert After(AlertEvidenceAdded e) => this with
    {
        Evidence = [.. Evidence.Union(e.Evidence).Order()],
        PartialWells = e.Wells ?? PartialWells,
    };

    /// <summary>
    /// What a clinician acknowledged, or the clinic was told of, was the lesser alert: the graver
    /// one needs a look of its own and escalates like a new alert if nobody gives it.
    /// </summary>
    public Alert After(AlertSeverityRaised e)
    {
        var acknowledged = Status == AlertStatus.Acknowledged;
        return this with
        {
            Severity = e.Severity,
            Title = e.Title,
            Advice = e.Advice,
            SeverityRaisedAt = e.At,
            Status = acknowledged ? AlertStatus.Open : Status,
            AcknowledgedAt = acknowledged ? null : AcknowledgedAt,
            AcknowledgedBy = acknowledged ? null : AcknowledgedBy,
            EscalatedAt = null,
        };
    }

    public Alert After(AlertAcknowledged e) => this with { Status = AlertStatus.Acknowledged, AcknowledgedAt = e.At, AcknowledgedBy = e.By };

    public Alert After(AlertResolved e) => this with { Status = AlertStatus.Resolved, ResolvedAt = e.At, ResolvedBy = e.By, ResolutionNote = e.Note };

    public Alert After(AlertEscalatedToClinic e) => this with { EscalatedAt = e.At };

    public Alert After(AlertCleared e) => this with { Status = AlertStatus.Cleared, ClearedAt = e.At, ClearedReason = e.Reason };
}
