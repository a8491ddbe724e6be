namespace CalfPainTracker.Notifications;

/// <summary>The events a clinic can subscribe a webhook to.</summary>
public static class WebhookEvents
{
    public const string AlertRaised = "alert.raised";
    public const string AlertSeverityRaised = "alert.severity-raised";
    public const string AlertEscalated = "alert.escalated";
    public const string CheckInReminder = "checkin.reminder";

    /// <summary>Once a day per physiotherapist, the new advice alerts; a webhook taking it gets no <c>alert.raised</c> for advice.</summary>
    public const string DigestDaily = "digest.daily";

    public static readonly IReadOnlyList<string> All = [AlertRaised, AlertSeverityRaised, AlertEscalated, CheckInReminder, DigestDaily];
}

/// <summary>A clinic's webhook: where to send which events, and the secret that signs them.</summary>
public sealed class Webhook
{
    public Guid Id { get; set; }
    public Uri Url { get; set; } = null!;

    /// <summary>Shared with the receiver to verify signatures; never returned by the API after creation.</summary>
    public string Secret { get; set; } = "";

    public List<string> Events { get; set; } = [];
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum DeliveryStatus { Pending, Delivered, DeadLettered }

/// <summary>
/// One notification to one webhook, kept so a clinic can see what was sent, what failed and
/// why, and replay it. Its id is the stable <c>X-CalfPain-Delivery</c> receivers dedupe on.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    public string Event { get; set; } = "";
    public string Payload { get; set; } = "";
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public int? LastStatusCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}
