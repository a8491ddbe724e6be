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

public static class MissedCheckIns
{
    /// <summary>After this many days without a check-in, with an alert still open, the physiotherapist is told.</summary>
    public const int TellPhysioAfterDays = 4;

    /// <summary>
    /// Schedules the check from the episode's latest logged day. Delays are measured on the
    /// service's clock; a check whose moment has already passed (a backfilled old day) is not scheduled.
    /// </summary>
    public static async ValueTask Schedule(Episode episode, DateOnly latestDay, IMessageBus bus, DateTimeOffset now)
    {
        var due = DueAt(episode, latestDay);
        if (due > now)
        {
            await bus.ScheduleAsync(new CheckForMissedCheckIns(episode.Id, latestDay, TellPhysioAfterDays), due - now);
        }
    }

    /// <summary>Pure: the patient's local midnight once <see cref="TellPhysioAfterDays"/> whole days after <paramref name="latestDay"/> have passed.</summary>
    public static DateTimeOffset DueAt(Episode episode, DateOnly latestDay) =>
        episode.AtLocal(latestDay.AddDays(TellPhysioAfterDays + 1), TimeOnly.MinValue);

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
        var events = MissedCheckIns.Decide(episode, message, now, Guid.CreateVersion7);
        if (events.Count == 0) return ([], []);
        return ([.. events], await Notify.Publish(session, episode!, events, site, json.Value.SerializerOptions, now, cancellation));
    }
}
