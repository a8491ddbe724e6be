using CalfPainTracker.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using Marten;
using Wolverine;

namespace CalfPainTracker.Notifications;

/// <summary>What a webhook receives.</summary>
public sealed record WebhookPayload(
    Guid DeliveryId,
    string Event,
    DateTimeOffset OccurredAt,
    string ClinicId,
    Guid PatientId,
    Guid EpisodeId,
    Alert? Alert,
    CheckInReminderDue? Reminder,
    string Link);

/// <summary>
/// Turns what just happened on an episode into webhook deliveries: one record per webhook
/// subscribed to the event, stored in the caller's session, and the <see cref="DeliverWebhook"/>
/// messages the caller sends in the same transaction (Wolverine's outbox), so a crash between
/// commit and sending loses nothing.
/// </summary>
public static class Notify
{
    public static async Task<OutgoingMessages> Publish(
        IDocumentSession session,
        Episode episode,
        IReadOnlyList<object> events,
        PublicAddress site,
        JsonSerializerOptions json,
        DateTimeOffset now,
        CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var notices = events.Select(e => Notice(episode, e)).OfType<(string Event, Guid Subject, Alert? Alert, CheckInReminderDue? Reminder)>().ToList();
        if (notices.Count == 0) return messages;

        // The session belongs to the episode's clinic, so this finds that clinic's webhooks only.
        var webhooks = await session.Query<Webhook>().ToListAsync(cancellation);
        foreach (var (name, subject, alert, reminder) in notices)
        {
            foreach (var webhook in webhooks.Where(w => w.Events.Contains(name) && DailyDigest.SendsAtOnce(w, name, alert, episode)))
            {
                var id = DeliveryId(subject, webhook.Id, name);
                var link = site.Link($"/api/episodes/{episode.Id}/alerts");
                var payload = new WebhookPayload(id, name, now, session.TenantId, episode.PatientId, episode.Id, alert, reminder, link);
                messages.Add(Enqueue(session, id, webhook.Id, name, JsonSerializer.Serialize(payload, json), now));
            }
        }
        if (webhooks.Any(w => w.Events.Contains(WebhookEvents.DigestDaily)))
        {
            var advice = notices.Where(n => n.Event == WebhookEvents.AlertRaised && n.Alert is { Severity: Severity.Advice }).Select(n => n.Alert!).ToList();
            if (await DailyDigest.Hold(session, episode, advice, cancellation) is { } start) messages.Add(start);
        }
        return messages;
    }

    /// <summary>
    /// Stores the delivery's record and returns its message, to be sent in the same transaction:
    /// neither is kept without the other.
    /// </summary>
    public static DeliverWebhook Enqueue(IDocumentSession session, Guid id, Guid webhookId, string name, string payload, DateTimeOffset now)
    {
        session.Insert(new WebhookDelivery
        {
            Id = id,
            WebhookId = webhookId,
            Event = name,
            Payload = payload,
            Status = DeliveryStatus.Pending,
            CreatedAt = now,
        });
        return new DeliverWebhook(id);
    }

    /// <summary>Stable per subject (alert or reminder), webhook and event: retries and replays keep it, so receivers can dedupe.</summary>
    public static Guid DeliveryId(Guid subject, Guid webhook, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{subject:N}:{webhook:N}:{name}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static (string, Guid, Alert?, CheckInReminderDue?)? Notice(Episode episode, object e) => e switch
    {
        AlertRaised raised => (WebhookEvents.AlertRaised, raised.AlertId, Alert.From(raised), null),
        // Each rise is a delivery of its own (advice -> urgent -> emergency), so receivers deduping on the delivery id see both.
        AlertSeverityRaised rose when episode.AlertById(rose.AlertId) is { } alert =>
            (WebhookEvents.AlertSeverityRaised, Subject($"{rose.AlertId:N}:{rose.Severity}"), alert.After(rose), null),
        AlertEscalatedToClinic escalated when episode.AlertById(escalated.AlertId) is { } alert =>
            (WebhookEvents.AlertEscalated, escalated.AlertId, alert.After(escalated), null),
        CheckInReminderDue reminder => (WebhookEvents.CheckInReminder, Subject($"{reminder.EpisodeId:N}:{reminder.Day:yyyy-MM-dd}"), null, reminder),
        _ => null,
    };

    private static Guid Subject(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}
