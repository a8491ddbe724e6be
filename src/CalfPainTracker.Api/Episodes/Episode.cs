using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.PatientRights;

namespace CalfPainTracker.Episodes;

/// <summary>
/// The state of one recovery episode, folded from its event stream. Kept inline so that the
/// write that appends a check-in also sees (and updates) the state its decisions need, and
/// only that: every check-in reads and rewrites this document, so the days are kept as their
/// pain alone. The check-ins in full are the events (<see cref="Trends.EpisodeHistory"/>).
/// </summary>
public sealed class Episode
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Guid PatientId { get; set; }
    public Side Side { get; set; }
    public SuspectedCause SuspectedCause { get; set; }
    public DateOnly OnsetDate { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public RiskFactors RiskFactors { get; set; } = RiskFactors.None;
    public DateTimeOffset OpenedAt { get; set; }
    public EpisodeStatus Status { get; set; }
    public CloseReason? CloseReason { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public Guid? PhysiotherapistId { get; set; }
    public TreatmentPlan? Plan { get; set; }

    /// <summary>The pain of each logged day (its latest version), in day order.</summary>
    public List<DayPain> Days { get; set; } = [];

    /// <summary>The check-in of the latest logged day, in full.</summary>
    public CheckIn? Latest { get; set; }

    /// <summary>
    /// The last <see cref="RememberedCheckIns"/> check-in ids accepted and what each produced, so a
    /// resubmission gets the same answer.
    /// </summary>
    public Dictionary<Guid, CheckInReceipt> Receipts { get; set; } = [];

    /// <summary>
    /// A phone resends a check-in whose answer it lost within hours or days, not after two months
    /// of daily check-ins; every receipt kept is read and rewritten by every later check-in, so
    /// keeping them all made a long recovery's check-ins cost more and more.
    /// </summary>
    public const int RememberedCheckIns = 60;

    /// <summary>Check-ins accepted, corrections included: numbers the receipts, oldest first.</summary>
    public int CheckInsAccepted { get; set; }

    public int Corrections { get; set; }

    public int RemindersSent { get; set; }

    /// <summary>Every alert raised on this episode, open or not, in the order raised.</summary>
    public List<Alert> Alerts { get; set; } = [];

    /// <summary>The latest clinician Wells examination, if any: for clinicians only.</summary>
    public WellsExamRecorded? LatestWellsExam { get; set; }

    /// <summary>The assigned physiotherapist's tuning of the advice rules for this patient.</summary>
    public AlertTuning Tuning { get; set; } = AlertTuning.None;

    public void Apply(EpisodeOpened e)
    {
        Id = e.EpisodeId;
        PatientId = e.PatientId;
        Side = e.Side;
        SuspectedCause = e.SuspectedCause;
        OnsetDate = e.OnsetDate;
        TimeZone = e.TimeZone;
        RiskFactors = e.RiskFactors;
        OpenedAt = e.OpenedAt;
        Status = EpisodeStatus.Open;
    }

    public void Apply(PhysiotherapistAssigned e) => PhysiotherapistId = e.PhysiotherapistId;

    public void Apply(TreatmentPlanSet e) => Plan = e.Plan;

    public void Apply(EpisodeClosed e)
    {
        Status = EpisodeStatus.Closed;
        CloseReason = e.Reason;
        ClosedAt = e.ClosedAt;
    }

    public void Apply(CheckInLogged e) => Record(e.CheckIn, correction: false, e.AlertIds);

    public void Apply(CheckInCorrected e)
    {
        Corrections++;
        Record(e.CheckIn, correction: true, e.AlertIds);
    }

    public void Apply(AlertRaised e) => Alerts.Add(Alert.From(e));

    public void Apply(AlertEvidenceAdded e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertSeverityRaised e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertAcknowledged e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertResolved e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertEscalatedToClinic e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertCleared e) => ChangeAlert(e.AlertId, a => a.After(e));

    public void Apply(AlertTuningSet e) => Tuning = Tuning.After(e);

    public void Apply(AlertTuningRemoved e) => Tuning = Tuning.After(e);

    public void Apply(AdviceRuleSnoozed e) => Tuning = Tuning.After(e);

    public void Apply(AdviceRuleSnoozeLifted e) => Tuning = Tuning.After(e);

    public void Apply(WellsExamRecorded e) => LatestWellsExam = e;

    public void Apply(CheckInReminderDue e) => RemindersSent++;

    /// <summary>The patient's notes are masked in the events in the same transaction; the snapshot follows.</summary>
    public void Apply(PatientDataErased e)
    {
        if (Latest is not null) Latest = PatientRightsEndpoints.Masked(Latest);
    }


    public Alert? AlertById(Guid id) => Alerts.Find(a => a.Id == id);

    private void ChangeAlert(Guid id, Func<Alert, Alert> change)
    {
        var index = Alerts.FindIndex(a => a.Id == id);
        if (index >= 0) Alerts[index] = change(Alerts[index]);
    }

    /// <summary>The patient's calendar day at an instant: check-in days are local dates in the episode's zone.</summary>
    public DateOnly LocalDay(DateTimeOffset instant) => LocalDayIn(TimeZone, instant);

    public static DateOnly LocalDayIn(string timeZone, DateTimeOffset instant) =>
        LocalTime.DayOf(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone));

    /// <summary>When the patient's clock shows <paramref name="time"/> on <paramref name="day"/> (see <see cref="LocalTime.At"/>).</summary>
    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time) => LocalTime.At(day, time, Zone);

    private TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public bool HasCheckInFor(DateOnly day) => LoggedDays.IndexOf(Days, day) >= 0;

    /// <summary>The logged days as they would be with <paramref name="checkIn"/> recorded, leaving this episode as it is.</summary>
    public List<DayPain> DaysWith(CheckIn checkIn)
    {
        var days = new List<DayPain>(Days);
        LoggedDays.Put(days, DayPain.Of(checkIn));
        return days;
    }

    private void Record(CheckIn checkIn, bool correction, IReadOnlyList<Guid>? alertIds)
    {
        Receipts[checkIn.CheckInId] = new CheckInReceipt(checkIn.Day, correction, alertIds ?? [], ++CheckInsAccepted);
        if (Receipts.Count > RememberedCheckIns) Receipts.Remove(Receipts.MinBy(r => r.Value.Number).Key);
        LoggedDays.Put(Days, DayPain.Of(checkIn));
        if (Latest is null || checkIn.Day >= Latest.Day) Latest = checkIn;
    }
}

/// <summary>What one accepted check-in produced; <paramref name="Number"/> counts the episode's check-ins from 1.</summary>
public sealed record CheckInReceipt(DateOnly Day, bool Correction, IReadOnlyList<Guid> AlertIds, int Number);
