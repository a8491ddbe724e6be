using CalfPainTracker.Security;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Marten;

namespace CalfPainTracker.Notifications;

/// <summary>Due at the reminder time (default 20:00) of <see cref="Day"/> in the patient's zone.</summary>
public sealed record RemindToCheckIn(Guid EpisodeId, DateOnly Day);

/// <summary>Which day's reminder an episode expects next; a duplicate or stale message finds a different day and does nothing.</summary>
public sealed class ReminderChain
{
    public Guid Id { get; set; }
    public DateOnly NextDay { get; set; }
}

public static class DailyReminder
{
    /// <summary>
    /// Starts the chain: one durable scheduled message per patient per day, each scheduling the
    /// next. Stores where the chain stands and returns its first message, for the caller to send.
    /// </summary>
    public static DeliveryMessage<RemindToCheckIn> Start(IDocumentSession session, Episode episode, NotificationSettings settings, DateTimeOffset now)
    {
        var day = FirstDay(episode, settings, now);
        session.Store(new ReminderChain { Id = episode.Id, NextDay = day });
        return new RemindToCheckIn(episode.Id, day).DelayedFor(ReminderTime(episode, day, settings) - now);
    }

    /// <summary>Pure: today, if today's reminder time is still to come in the patient's zone, else tomorrow.</summary>
    public static DateOnly FirstDay(Episode episode, NotificationSettings settings, DateTimeOffset now)
    {
        var today = episode.LocalDay(now);
        return ReminderTime(episode, today, settings) > now ? today : today.AddDays(1);
    }

    /// <summary>Pure: the reminder time on the patient's clock that day, also on a day the clocks change.</summary>
    public static DateTimeOffset ReminderTime(Episode episode, DateOnly day, NotificationSettings settings) =>
        episode.AtLocal(day, settings.ReminderLocalTime);

    /// <summary>Pure: the reminder for the day, if the patient has not checked in for it.</summary>
    public static CheckInReminderDue? Decide(Episode episode, DateOnly day, DateTimeOffset now) =>
        !episode.HasCheckInFor(day)
            ? new CheckInReminderDue(episode.Id, episode.PatientId, day, episode.Latest?.Day, now)
            : null;
}

public static class RemindToCheckInHandler
{
    public static async Task<(Events, OutgoingMessages)> Handle(
        RemindToCheckIn message,
        // The episode's lock serialises this with check-ins and with a duplicate of this message.
        [WriteEpisode] Episode? episode,
        IDocumentSession session,
        NotificationSettings settings,
        PublicAddress site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        CancellationToken cancellation)
    {
        var chain = await session.LoadAsync<ReminderChain>(message.EpisodeId, cancellation);
        if (episode is not { Status: EpisodeStatus.Open } || chain is null || chain.NextDay != message.Day) return ([], []);

        var now = clock.GetUtcNow();
        var events = new Events();
        var messages = new OutgoingMessages();
        if (DailyReminder.Decide(episode, message.Day, now) is { } reminder)
        {
            events.Add(reminder);
            messages.AddRange(await Notify.Publish(session, episode, [reminder], site, json.Value.SerializerOptions, now, cancellation));
            messages.AddRange(await ReminderPush.Publish(session, episode, reminder, site, cancellation));
        }
        chain.NextDay = message.Day.AddDays(1);
        session.Store(chain);
        // Delayed on the service's clock, as the first reminder was.
        messages.Add(new RemindToCheckIn(episode.Id, chain.NextDay).DelayedFor(DailyReminder.ReminderTime(episode, chain.NextDay, settings) - now));
        return (events, messages);
    }
}
