using System.Globalization;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Trends;

namespace CalfPainTracker.PatientRights;

/// <summary>
/// The episode's history as the patient may read it. A list of what is shown rather than of what
/// is hidden: an event added later (a clinician-only one above all) stays out until it is named here.
/// The Wells examination is never named: it is for clinicians (clinical-reference.md section 3).
/// </summary>
public static class PatientHistory
{
    public static HistoryEntry? Entry(DateTimeOffset at, object data) => data switch
    {
        EpisodeOpened e => new(at, "episode-opened", $"Episode opened: {WireNames.Of(e.Side)} calf, {WireNames.Of(e.SuspectedCause)}, onset {Day(e.OnsetDate)}"),
        PhysiotherapistAssigned e => new(at, "physiotherapist-assigned", $"Physiotherapist {e.PhysiotherapistId} assigned"),
        TreatmentPlanSet e => new(at, "plan-set",
            $"Plan set: rest {e.Plan.RestHoursPerDay} h, ice {e.Plan.IceMinutesPerDay} min, heat {e.Plan.HeatMinutesPerDay} min, stretching {e.Plan.StretchingMinutesPerDay} min a day"),
        CheckInLogged e => new(at, "check-in-logged", $"Check-in for {Day(e.CheckIn.Day)}: pain {e.CheckIn.PainLevel}/10"),
        CheckInCorrected e => new(at, "check-in-corrected", $"Check-in for {Day(e.CheckIn.Day)} corrected: pain {e.CheckIn.PainLevel}/10"),
        AlertRaised e => new(at, "alert-raised", $"Alert raised ({WireNames.Of(e.Severity)}): {e.Title}"),
        AlertSeverityRaised e => new(at, "alert-severity-raised", $"Alert became {WireNames.Of(e.Severity)}: {e.Title}"),
        AlertAcknowledged => new(at, "alert-acknowledged", "Your physiotherapist has seen an alert"),
        AlertResolved => new(at, "alert-resolved", "An alert was resolved by your clinic"),
        AlertCleared => new(at, "alert-cleared", "An alert was cleared: its signs did not show on your later check-ins"),
        AlertEscalatedToClinic => new(at, "alert-escalated", "An alert was passed to the clinic"),
        CheckInReminderDue e => new(at, "reminder-sent", $"Reminder to check in for {Day(e.Day)}"),
        LefsAnswered e => new(at, "questionnaire-answered", $"LEFS questionnaire for {Day(e.Day)}: {e.Total} of {Lefs.Items * Lefs.MaxPerItem}"),
        EpisodeClosed e => new(at, "episode-closed", $"Episode closed: {WireNames.Of(e.Reason)}"),
        PatientDataErased => new(at, "data-erased", "Your notes were erased at your request"),
        PatientInvited e => new(at, "invited", $"Your clinic invited you to sign in on a phone (until {e.ExpiresAt:yyyy-MM-dd HH:mm} UTC)"),
        InvitationWithdrawn => new(at, "invitation-withdrawn", "An unused invitation was withdrawn"),
        DeviceEnrolled e => new(at, "device-signed-in", $"Signed in on {e.DeviceName}"),
        DeviceSignedOut e => new(at, "device-signed-out", $"A phone was signed out ({WireNames.Of(e.Reason)})"),
        _ => null,
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
