using CalfPainTracker.Security;
using CalfPainTracker.Episodes;
using CalfPainTracker.Notifications;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Marten;

namespace CalfPainTracker.Alerts;

/// <summary>
/// Scheduled, durably, for the local midnight when <see cref="DaysMissed"/> days after
/// <see cref="LastDay"/> have passed without a check-in.
/// </summary>
public sealed record CheckForMissedCheckIns(Guid EpisodeId, DateOnly LastDay, int DaysMissed);

/// <summary>
/// No check-in for <see cref="Day"/> by the reminder time: the notification channels remind
/// the patient. Patients are reminded every such day, so also after 2 missed days.
/// </summary>
public sealed record CheckInReminderDue(Guid EpisodeId, Guid PatientId, DateOnly Day, DateOnly? LastDay, DateTimeOffset At);

/// <summary>
/// The latest day an episode's pending check was re-armed for. Two checks can be pending for one
/// episode (one re-armed while a check-in armed another, or those scheduled per check-in before
/// checks re-armed themselves); the second to come due finds this day and re-arms nothing, so
/// the episode is back to one.
/// </summary>
public sealed class MissedCheckInWatch
{
    public Guid Id { get; set; }
    public DateOnly LastDay { get; set; }
}

/// <summary>
/// One pending check per open episode, not one per check-in: every scheduled message is a row
/// the durable inbox keeps (and its poller and counts read) until it comes due, four days on.
/// The check counts from the latest day known when it was scheduled; a check-in in the meantime
/// leaves it be, and when it comes due and finds a later day it schedules itself again from that day.
/// </summary>
public static class MissedCheckIns
{
    /// <summary>After this many days without a check-in, with an alert still open, the physiotherapist is told.</summary>
    public const int TellPhysioAfterDays = 4;

    /// <summary>Pure: on opening, the first check, counted from the day before, so that a patient who never checks in is followed up too.</summary>
    public static DeliveryMessage<CheckForMissedCheckIns>? Start(Episode episode, DateTimeOffset now) => Arm(episode, PendingFrom(episode), now);

    /// <summary>
    /// Pure: the check to schedule, if any, for a check-in on <paramref name="day"/>; <paramref name="episode"/> is
    /// the episode as it was before that check-in. While the episode's check is still to come
    /// nothing is scheduled: it will find the new day and re-arm itself (<see cref="Rearm"/>). Only a
    /// check that has already run (it found no later day) or was never scheduled (the previous
    /// latest day was backfilled long after) is replaced. Delays are measured on the service's
    /// clock; a check whose moment has already passed is not scheduled (null), and so neither is
    /// one for a day at or before the latest: it would be due no later than the check that ran.
    /// </summary>
    public static DeliveryMessage<CheckForMissedCheckIns>? Schedule(Episode episode, DateOnly day, DateTimeOffset now) =>
        DueAt(episode, PendingFrom(episode)) > now ? null : Arm(episode, day, now);

    /// <summary>
    /// A due check found a check-in later than the day it counted from: the follow-up moves to
    /// that day, unless another pending check has already moved it there: the message to send, if any.
    /// </summary>
    public static async Task<object?> Rearm(IDocumentSession session, Episode episode, CheckForMissedCheckIns check, DateTimeOffset now, CancellationToken cancellation)
    {
        if (episode.Status != EpisodeStatus.Open || episode.Latest?.Day is not { } latest || latest <= check.LastDay) return null;
        var watch = await session.LoadAsync<MissedCheckInWatch>(episode.Id, cancellation);
        if (watch is not null && watch.LastDay >= latest) return null;
        session.Store(new MissedCheckInWatch { Id = episode.Id, LastDay = latest });
        // Late (the service was down past the new day's moment), the check runs at once: the one a
        // check-in used to schedule for that day would have run late too, not been dropped.
        return new CheckForMissedCheckIns(episode.Id, latest, TellPhysioAfterDays).DelayedFor((DueAt(episode, latest) - now) is { Ticks: > 0 } delay ? delay : TimeSpan.Zero);
    }

    /// <summary>Pure: the day the episode's pending check counts from: its latest check-in, or the day before it was opened.</summary>
    public static DateOnly PendingFrom(Episode episode) => episode.Latest?.Day ?? episode.LocalDay(episode.OpenedAt).AddDays(-1);

    /// <summary>Pure: the patient's local midnight once <see cref="TellPhysioAfterDays"/> whole days after <paramref name="latestDay"/> have passed.</summary>
    public static DateTimeOffset DueAt(Episode episode, DateOnly latestDay) =>
        episode.AtLocal(latestDay.AddDays(TellPhysioAfterDays + 1), TimeOnly.MinValue);

    private static DeliveryMessage<CheckForMissedCheckIns>? Arm(Episode episode, DateOnly latestDay, DateTimeOffset now)
    {
        var due = DueAt(episode, latestDay);
        return due > now ? new CheckForMissedCheckIns(episode.Id, latestDay, TellPhysioAfterDays).DelayedFor(due - now) : null;
    }

    /// <summary>Pure: what a due check finds. Nothing, if a later check-in arrived, the episode is closed or no alert is open.</summary>
    public static IReadOnlyList<object> Decide(Episode? episode, CheckForMissedCheckIns check, DateTimeOffset now, Func<Guid> newId)
    {
        if (episode is null || episode.Status == EpisodeStatus.Closed) return [];
        var latest = episode.Latest?.Day ?? episode.OnsetDate;
        if (latest > check.LastDay || !episode.Alerts.Any(a => a.IsOpen)) return [];

        var finding = new Finding(AlertRule.MissedCheckIns, Severity.Advice, $"No check-in for {check.DaysMissed} days while an alert is open",
            $"The patient has not checked in since {check.LastDay:yyyy-MM-dd} and has an open alert. Contact them to find out how they are.",
            [], "CalfPainTracker product rule (clinical-reference.md section 8: reminders and clinician follow-up)");
        return AlertDecisions.Decide(episode.Id, episode.Alerts, episode.Tuning.Filter([finding], now), null, now, newId).Events;
    }
}

public static class CheckForMissedCheckInsHandler
{
    public static async Task<(Events, OutgoingMessages)> Handle(
        CheckForMissedCheckIns message,
        [WriteEpisode] Episode? episode,
        IDocumentSession session,
        PublicAddress site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        if (episode is null) return ([], []);
        var events = MissedCheckIns.Decide(episode, message, now, Guid.CreateVersion7);
        var messages = events.Count == 0 ? [] : await Notify.Publish(session, episode, events, site, json.Value.SerializerOptions, now, cancellation);
        if (await MissedCheckIns.Rearm(session, episode, message, now, cancellation) is { } rearmed) messages.Add(rearmed);
        return ([.. events], messages);
    }
}
