using CalfPainTracker.Episodes;
using Marten;
using Wolverine;

namespace CalfPainTracker.Alerts;

/// <summary>
/// Scheduled, durably, for the local midnight when <see cref="DaysMissed"/> days after
/// <see cref="LastDay"/> have passed without a check-in.
/// </summary>
public sealed record CheckForMissedCheckIns(Guid EpisodeId, DateOnly LastDay, int DaysMissed);

/// <summary>The patient has not checked in for a while: the notification channels remind them.</summary>
public sealed record CheckInReminderDue(Guid EpisodeId, Guid PatientId, DateOnly LastDay, int DaysMissed, DateTimeOffset At);

public static class MissedCheckIns
{
    /// <summary>After this many days without a check-in the patient is reminded.</summary>
    public const int RemindPatientAfterDays = 2;

    /// <summary>After this many days, with an alert still open, the physiotherapist is told.</summary>
    public const int TellPhysioAfterDays = 4;

    /// <summary>
    /// Schedules both checks from the episode's latest logged day. Delays are measured on the
    /// service's clock; a check whose moment has already passed (a backfilled old day) is not scheduled.
    /// </summary>
    public static async ValueTask Schedule(Episode episode, DateOnly latestDay, IMessageBus bus, DateTimeOffset now)
    {
        foreach (var days in new[] { RemindPatientAfterDays, TellPhysioAfterDays })
        {
            var due = episode.StartOfLocalDay(latestDay.AddDays(days + 1));
            if (due > now)
            {
                await bus.ScheduleAsync(new CheckForMissedCheckIns(episode.Id, latestDay, days), due - now);
            }
        }
    }

    /// <summary>Pure: what a due check finds. Nothing, if a later check-in arrived or the episode is closed.</summary>
    public static IReadOnlyList<object> Decide(Episode? episode, CheckForMissedCheckIns check, DateTimeOffset now, Func<Guid> newId)
    {
        if (episode is null || episode.Status == EpisodeStatus.Closed) return [];
        var latest = episode.CheckIns.Count > 0 ? episode.CheckIns[^1].Day : episode.OnsetDate;
        if (latest > check.LastDay) return [];

        if (check.DaysMissed < TellPhysioAfterDays)
        {
            return [new CheckInReminderDue(episode.Id, episode.PatientId, check.LastDay, check.DaysMissed, now)];
        }
        if (!episode.Alerts.Any(a => a.IsOpen)) return [];

        var finding = new Finding(AlertRule.MissedCheckIns, Severity.Advice, $"No check-in for {check.DaysMissed} days while an alert is open",
            $"The patient has not checked in since {check.LastDay:yyyy-MM-dd} and has an open alert. Contact them to find out how they are.",
            [], "CalfPainTracker product rule (clinical-reference.md section 8: reminders and clinician follow-up)");
        return AlertDecisions.Decide(episode.Id, episode.Alerts, [finding], null, now, newId).Events;
    }
}

public static class CheckForMissedCheckInsHandler
{
    public static async Task Handle(CheckForMissedCheckIns message, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForExclusiveWriting<Episode>(message.EpisodeId, cancellation);
        stream.AppendMany(MissedCheckIns.Decide(stream.Aggregate, message, clock.GetUtcNow(), Guid.CreateVersion7));
    }
}
