using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Security;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace CalfPainTracker.Notifications;

/// <summary>What a <c>digest.daily</c> webhook receives: the advice alerts raised for one physiotherapist's patients since the previous digest.</summary>
public sealed record DailyDigestPayload(
    Guid DeliveryId,
    string Event,
    DateTimeOffset OccurredAt,
    string ClinicId,
    Guid PhysiotherapistId,
    DateOnly Day,
    IReadOnlyList<DigestAlert> Alerts);

/// <summary>One advice alert in a digest, as it was raised.</summary>
public sealed record DigestAlert(Guid Id, Guid EpisodeId, Guid PatientId, AlertRule Rule, Severity Severity, string Title, DateTimeOffset RaisedAt, string Link);

/// <summary>
/// An advice alert waiting for its physiotherapist's next digest. Written in the transaction that
/// raised the alert, so the digest cannot miss one; deleted in the transaction that sends the
/// digest listing it, so no later digest repeats it.
/// </summary>
public sealed class DigestEntry
{
    /// <summary>The alert's id: an alert waits once.</summary>
    public Guid Id { get; set; }

    public Guid PhysiotherapistId { get; set; }
    public Guid EpisodeId { get; set; }
    public Guid PatientId { get; set; }
    public AlertRule Rule { get; set; }
    public Severity Severity { get; set; }
    public string Title { get; set; } = "";
    public DateTimeOffset RaisedAt { get; set; }

    public static DigestEntry Of(Episode episode, Guid physiotherapistId, Alert alert) => new()
    {
        Id = alert.Id,
        PhysiotherapistId = physiotherapistId,
        EpisodeId = episode.Id,
        PatientId = episode.PatientId,
        Rule = alert.Rule,
        Severity = alert.Severity,
        Title = alert.Title,
        RaisedAt = alert.RaisedAt,
    };
}

/// <summary>Which day's digest a physiotherapist expects next; a duplicate or stale message finds a different day and does nothing.</summary>
public sealed class DigestChain
{
    public Guid Id { get; set; }
    public Guid PhysiotherapistId { get; set; }
    public DateOnly NextDay { get; set; }

    /// <summary>One chain per clinic and physiotherapist.</summary>
    public static Guid IdFor(string clinicId, Guid physiotherapistId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"digest:{clinicId}:{physiotherapistId:N}")).AsSpan(0, 16));
}

/// <summary>Sent by the alert's transaction when the physiotherapist has no digest chain yet.</summary>
public sealed record StartDailyDigest(Guid PhysiotherapistId);

/// <summary>Due at the digest time of <see cref="Day"/> in the clinic's digest zone.</summary>
public sealed record SendDailyDigest(Guid PhysiotherapistId, DateOnly Day);

/// <summary>A digest delivery about to be stored: its stable id, the webhook and the payload.</summary>
public sealed record DigestDelivery(Guid Id, Guid WebhookId, DailyDigestPayload Payload);

public static class DailyDigest
{
    /// <summary>
    /// Whether an alert goes to this webhook at once. A webhook that takes the digest gets advice
    /// in it instead; urgent and emergency alerts never wait. An episode without a physiotherapist
    /// has no digest to wait for, so its advice goes at once too.
    /// </summary>
    public static bool SendsAtOnce(Webhook webhook, string name, Alert? alert, Episode episode) =>
        !(name == WebhookEvents.AlertRaised
          && alert is { Severity: Severity.Advice }
          && episode.PhysiotherapistId is not null
          && webhook.Events.Contains(WebhookEvents.DigestDaily));

    /// <summary>Pure: today, if today's digest time is still to come in the digest zone, else tomorrow.</summary>
    public static DateOnly FirstDay(NotificationSettings settings, DateTimeOffset now)
    {
        var today = LocalTime.DayOf(now, settings.DigestZone);
        return DigestTime(today, settings) > now ? today : today.AddDays(1);
    }

    /// <summary>Pure: the digest time on the clinic's clock that day, also on a day the clocks change.</summary>
    public static DateTimeOffset DigestTime(DateOnly day, NotificationSettings settings) =>
        LocalTime.At(day, settings.DigestLocalTime, settings.DigestZone);

    /// <summary>Stable per webhook, clinic, physiotherapist and day: retries, replays and a duplicate scheduled message keep it.</summary>
    public static Guid DeliveryId(Guid webhookId, string clinicId, Guid physiotherapistId, DateOnly day) =>
        Notify.DeliveryId(new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{clinicId}:{physiotherapistId:N}:{day:yyyy-MM-dd}")).AsSpan(0, 16)),
            webhookId, WebhookEvents.DigestDaily);

    /// <summary>
    /// Pure: one delivery per digest webhook, listing every waiting advice alert oldest first; none
    /// on a day with nothing new, so receivers are not woken for an empty list.
    /// </summary>
    public static IReadOnlyList<DigestDelivery> Compose(
        string clinicId, Guid physiotherapistId, DateOnly day, IReadOnlyList<DigestEntry> waiting, IReadOnlyList<Webhook> webhooks,
        Func<Guid, string> link, DateTimeOffset now)
    {
        var alerts = waiting
            .Where(e => e.PhysiotherapistId == physiotherapistId)
            .OrderBy(e => e.RaisedAt).ThenBy(e => e.Id)
            .Select(e => new DigestAlert(e.Id, e.EpisodeId, e.PatientId, e.Rule, e.Severity, e.Title, e.RaisedAt, link(e.EpisodeId)))
            .ToList();
        if (alerts.Count == 0) return [];
        return webhooks
            .Where(w => w.Events.Contains(WebhookEvents.DigestDaily))
            .Select(w =>
            {
                var id = DeliveryId(w.Id, clinicId, physiotherapistId, day);
                return new DigestDelivery(id, w.Id, new DailyDigestPayload(id, WebhookEvents.DigestDaily, now, clinicId, physiotherapistId, day, alerts));
            })
            .ToList();
    }

    /// <summary>
    /// Called with the alert's events: keeps each new advice alert for the physiotherapist's digest
    /// when the clinic has a digest webhook; returns the message that starts the physiotherapist's
    /// chain if there is none, for the caller to send in the same transaction.
    /// </summary>
    public static async Task<StartDailyDigest?> Hold(IDocumentSession session, Episode episode, IReadOnlyList<Alert> advice, CancellationToken cancellation)
    {
        if (advice.Count == 0 || episode.PhysiotherapistId is not { } physio) return null;
        foreach (var alert in advice) session.Store(DigestEntry.Of(episode, physio, alert));
        // Started by a message rather than here, so two check-ins racing to start it can never fail a check-in.
        return await session.LoadAsync<DigestChain>(DigestChain.IdFor(session.TenantId, physio), cancellation) is null
            ? new StartDailyDigest(physio)
            : null;
    }
}

public static class StartDailyDigestHandler
{
    /// <summary>Two starts racing: the loser's insert fails, and on its retry it finds the winner's chain.</summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException<JasperFx.DocumentAlreadyExistsException>().RetryTimes(1);

    public static async Task Handle(StartDailyDigest message, IDocumentSession session, IMessageBus bus, NotificationSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var id = DigestChain.IdFor(session.TenantId, message.PhysiotherapistId);
        if (await session.LoadAsync<DigestChain>(id, cancellation) is not null) return;
        var now = clock.GetUtcNow();
        var day = DailyDigest.FirstDay(settings, now);
        session.Insert(new DigestChain { Id = id, PhysiotherapistId = message.PhysiotherapistId, NextDay = day });
        await bus.ScheduleAsync(new SendDailyDigest(message.PhysiotherapistId, day), DailyDigest.DigestTime(day, settings) - now);
    }
}

public static class SendDailyDigestHandler
{
    /// <summary>A duplicate running alongside loses on the chain's version or the delivery's id, and on its retry finds the day done.</summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException<JasperFx.DocumentAlreadyExistsException>().Or<JasperFx.ConcurrencyException>().RetryTimes(1);

    public static async Task Handle(
        SendDailyDigest message,
        IDocumentSession session,
        IMessageBus bus,
        NotificationSettings settings,
        PublicAddress site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        CancellationToken cancellation)
    {
        var chain = await session.LoadAsync<DigestChain>(DigestChain.IdFor(session.TenantId, message.PhysiotherapistId), cancellation);
        if (chain is null || chain.NextDay != message.Day) return;

        var now = clock.GetUtcNow();
        var waiting = await session.Query<DigestEntry>().Where(e => e.PhysiotherapistId == message.PhysiotherapistId).ToListAsync(cancellation);
        var webhooks = await session.Query<Webhook>().ToListAsync(cancellation);
        var deliveries = DailyDigest.Compose(session.TenantId, message.PhysiotherapistId, message.Day, waiting, webhooks,
            episode => site.Link($"/api/episodes/{episode}/alerts"), now);
        foreach (var delivery in deliveries)
        {
            await bus.PublishAsync(Notify.Enqueue(session, delivery.Id, delivery.WebhookId, WebhookEvents.DigestDaily,
                JsonSerializer.Serialize(delivery.Payload, json.Value.SerializerOptions), now));
        }
        // Listed, or with no digest webhook left to list them to: either way no later digest owes them.
        foreach (var entry in waiting) session.Delete(entry);

        chain.NextDay = message.Day.AddDays(1);
        session.Store(chain);
        await bus.ScheduleAsync(new SendDailyDigest(message.PhysiotherapistId, chain.NextDay), DailyDigest.DigestTime(chain.NextDay, settings) - now);
    }
}
