using System.Globalization;
using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.PatientRights;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Timeline;

/// <summary>
/// One thing that happened on an episode, as a clinician reads it. A public shape of its own:
/// <see cref="Kind"/> is a stable kebab-case name, never an event type or a Marten alias, so
/// the events may be renamed without breaking a reader of the timeline.
/// </summary>
/// <param name="At">When it happened (the service's clock when it was recorded).</param>
/// <param name="Kind">
/// episode-opened, physiotherapist-assigned, plan-set, check-in-logged, check-in-corrected,
/// alert-raised, alert-severity-raised, alert-acknowledged, alert-resolved, alert-cleared,
/// alert-escalated, wells-exam-recorded, reminder-sent, questionnaire-answered,
/// alert-tuning-set, alert-tuning-removed, advice-rule-snoozed, advice-rule-snooze-lifted,
/// clinician-note, invited, invitation-withdrawn, device-signed-in, device-signed-out,
/// data-erased, episode-closed.
/// </param>
/// <param name="Summary">One line for a person to read.</param>
/// <param name="By">The clinician who did it, if a clinician did.</param>
/// <param name="Day">The check-in day it concerns, if any.</param>
/// <param name="AlertId">The alert it concerns, if any.</param>
/// <param name="Rule">That alert's rule (or the tuned rule), as the alerts API names it.</param>
/// <param name="Severity">That alert's severity at the time, as the alerts API names it.</param>
/// <param name="Text">A clinician note's text, or a resolve note, or a snooze's reason.</param>
public sealed record TimelineEntry(
    DateTimeOffset At,
    string Kind,
    string Summary,
    Guid? By = null,
    DateOnly? Day = null,
    Guid? AlertId = null,
    string? Rule = null,
    string? Severity = null,
    string? Text = null);

public sealed record EpisodeTimelineView(Guid EpisodeId, IReadOnlyList<TimelineEntry> Entries);

public static class EpisodeTimeline
{
    /// <summary>
    /// Pure: the entries of an episode's events, oldest first. Alert evidence added to an open
    /// alert is left out: it repeats what the check-in entry already says.
    /// </summary>
    public static IReadOnlyList<TimelineEntry> Fold(IEnumerable<object> events)
    {
        var alerts = new Dictionary<Guid, (AlertRule Rule, Severity Severity, string Title)>();
        var entries = new List<TimelineEntry>();
        foreach (var data in events)
        {
            if (data is AlertRaised raised) alerts[raised.AlertId] = (raised.Rule, raised.Severity, raised.Title);
            if (data is AlertSeverityRaised rose && alerts.TryGetValue(rose.AlertId, out var before)) alerts[rose.AlertId] = (before.Rule, rose.Severity, rose.Title);
            if (Entry(data, alerts) is { } entry) entries.Add(entry);
        }
        return entries;
    }

    private static TimelineEntry? Entry(object data, Dictionary<Guid, (AlertRule Rule, Severity Severity, string Title)> alerts)
    {
        TimelineEntry About(DateTimeOffset at, string kind, Guid alertId, string what, Guid? by = null, string? text = null) =>
            alerts.TryGetValue(alertId, out var a)
                ? new(at, kind, $"{what}: {a.Title}", by, null, alertId, WireNames.Of(a.Rule), WireNames.Of(a.Severity), text)
                : new(at, kind, what, by, null, alertId, null, null, text);

        return data switch
        {
            EpisodeOpened e => new(e.OpenedAt, "episode-opened", $"Episode opened: {WireNames.Of(e.Side)} calf, {WireNames.Of(e.SuspectedCause)}, onset {Day(e.OnsetDate)}"),
            PhysiotherapistAssigned e => new(e.AssignedAt, "physiotherapist-assigned", "Physiotherapist assigned", e.PhysiotherapistId),
            TreatmentPlanSet e => new(e.SetAt, "plan-set",
                $"Plan set: rest {e.Plan.RestHoursPerDay} h, ice {e.Plan.IceMinutesPerDay} min, heat {e.Plan.HeatMinutesPerDay} min, stretching {e.Plan.StretchingMinutesPerDay} min a day"),
            CheckInLogged e => new(e.CheckIn.LoggedAt, "check-in-logged", $"Check-in for {Day(e.CheckIn.Day)}: pain {e.CheckIn.PainLevel}/10", Day: e.CheckIn.Day),
            CheckInCorrected e => new(e.CheckIn.LoggedAt, "check-in-corrected", $"Check-in for {Day(e.CheckIn.Day)} corrected: pain {e.CheckIn.PainLevel}/10", Day: e.CheckIn.Day),
            AlertRaised e => new(e.RaisedAt, "alert-raised", $"Alert raised ({WireNames.Of(e.Severity)}): {e.Title}", null,
                e.Evidence.Count > 0 ? e.Evidence.Max() : null, e.AlertId, WireNames.Of(e.Rule), WireNames.Of(e.Severity)),
            AlertSeverityRaised e => About(e.At, "alert-severity-raised", e.AlertId, $"Alert became {WireNames.Of(e.Severity)}"),
            AlertAcknowledged e => About(e.At, "alert-acknowledged", e.AlertId, "Alert acknowledged", e.By),
            AlertResolved e => About(e.At, "alert-resolved", e.AlertId, "Alert resolved", e.By, e.Note),
            AlertCleared e => About(e.At, "alert-cleared", e.AlertId, "Alert cleared by the service", text: e.Reason),
            AlertEscalatedToClinic e => About(e.At, "alert-escalated", e.AlertId, $"Alert passed to the clinic after {e.Unacknowledged.TotalMinutes:0} minutes unacknowledged"),
            WellsExamRecorded e => new(e.At, "wells-exam-recorded", $"Wells examination: score {e.Score.Score}, DVT {(e.Score.DvtLikely ? "likely" : "unlikely")}", e.By),
            CheckInReminderDue e => new(e.At, "reminder-sent", $"Reminder to check in for {Day(e.Day)}", Day: e.Day),
            LefsAnswered e => new(e.At, "questionnaire-answered", $"LEFS questionnaire for {Day(e.Day)}: {e.Total} of {Lefs.Items * Lefs.MaxPerItem}", Day: e.Day),
            AlertTuningSet e => new(e.At, "alert-tuning-set", $"Persistent pain tuned for this patient: pain >= {e.PersistentPainMinimum} on {e.PersistentPainDays} check-ins",
                e.By, Rule: WireNames.Of(AlertRule.PersistentPain)),
            AlertTuningRemoved e => new(e.At, "alert-tuning-removed", "Persistent pain back to the clinic's rule", e.By, Rule: WireNames.Of(AlertRule.PersistentPain)),
            AdviceRuleSnoozed e => new(e.At, "advice-rule-snoozed", $"Advice '{WireNames.Of(e.Rule)}' snoozed until {e.Until.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC",
                e.By, Rule: WireNames.Of(e.Rule), Text: e.Reason),
            AdviceRuleSnoozeLifted e => new(e.At, "advice-rule-snooze-lifted", $"Snooze of advice '{WireNames.Of(e.Rule)}' lifted", e.By, Rule: WireNames.Of(e.Rule)),
            ClinicianNoteWritten e => new(e.At, "clinician-note", "Clinician note", e.By, Text: e.Text),
            PatientInvited e => new(e.At, "invited", $"Invited to sign in on a phone, until {e.ExpiresAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", e.By),
            InvitationWithdrawn e => new(e.At, "invitation-withdrawn", "An unused invitation was withdrawn", e.By),
            DeviceEnrolled e => new(e.At, "device-signed-in", $"Signed in on {e.DeviceName}"),
            DeviceSignedOut e => new(e.At, "device-signed-out", $"A phone was signed out ({WireNames.Of(e.Reason)})", e.By),
            PatientDataErased e => new(e.At, "data-erased", "The patient's notes were erased at their request"),
            EpisodeClosed e => new(e.ClosedAt, "episode-closed", $"Episode closed: {WireNames.Of(e.Reason)}"),
            _ => null,
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

public static class EpisodeTimelineEndpoint
{
    /// <summary>
    /// For clinicians: it carries clinician notes and the Wells examination, which patients are
    /// not shown (a patient is refused with 403; their own history is in GET /api/me/export).
    /// </summary>
    [WolverineGet("/api/episodes/{episodeId}/timeline", Name = "GetEpisodeTimeline")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Get(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "timeline", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);
        var events = await session.Events.FetchStreamAsync(episodeId, token: cancellation);
        return TypedResults.Ok(new EpisodeTimelineView(episodeId, EpisodeTimeline.Fold(events.Select(e => e.Data))));
    }
}
