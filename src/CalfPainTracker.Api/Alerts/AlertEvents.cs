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
/// An alert as the episode holds it. Mutable only through the episode's Apply methods.
/// </summary>
public sealed class Alert
{
    public Guid Id { get; set; }
    public Guid EpisodeId { get; set; }
    public AlertRule Rule { get; set; }
    public Severity Severity { get; set; }
    public string Title { get; set; } = "";
    public string Advice { get; set; } = "";
    public List<DateOnly> Evidence { get; set; } = [];
    public string Source { get; set; } = "";
    public PartialWells? PartialWells { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public AlertStatus Status { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public Guid? ResolvedBy { get; set; }
    public string? ResolutionNote { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    public DateTimeOffset? ClearedAt { get; set; }
    public string? ClearedReason { get; set; }

    /// <summary>When the alert last became more serious: its current severity has waited since then.</summary>
    public DateTimeOffset? SeverityRaisedAt { get; set; }

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

    public void Apply(AlertEvidenceAdded e)
    {
        Evidence = [.. Evidence.Union(e.Evidence).Order()];
        if (e.Wells is not null) PartialWells = e.Wells;
    }

    public void Apply(AlertSeverityRaised e)
    {
        Severity = e.Severity;
        Title = e.Title;
        Advice = e.Advice;
        SeverityRaisedAt = e.At;
        // What a clinician acknowledged, or the clinic was told of, was the lesser alert: the
        // graver one needs a look of its own and escalates like a new alert if nobody gives it.
        if (Status == AlertStatus.Acknowledged)
        {
            Status = AlertStatus.Open;
            AcknowledgedAt = null;
            AcknowledgedBy = null;
        }
        EscalatedAt = null;
    }

    public void Apply(AlertAcknowledged e)
    {
        Status = AlertStatus.Acknowledged;
        AcknowledgedAt = e.At;
        AcknowledgedBy = e.By;
    }

    public void Apply(AlertResolved e)
    {
        Status = AlertStatus.Resolved;
        ResolvedAt = e.At;
        ResolvedBy = e.By;
        ResolutionNote = e.Note;
    }

    public void Apply(AlertEscalatedToClinic e) => EscalatedAt = e.At;

    public void Apply(AlertCleared e)
    {
        Status = AlertStatus.Cleared;
        ClearedAt = e.At;
        ClearedReason = e.Reason;
    }

    /// <summary>A copy to apply not-yet-saved events to, leaving the loaded episode as it was.</summary>
    public Alert Copy()
    {
        var copy = (Alert)MemberwiseClone();
        copy.Evidence = [.. Evidence];
        return copy;
    }

    /// <summary>The alert as a not-yet-saved event leaves it, without touching the episode it was loaded with.</summary>
    public Alert After(Action<Alert> apply)
    {
        var copy = Copy();
        apply(copy);
        return copy;
    }
}
