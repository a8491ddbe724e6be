namespace CalfPainTracker.Notifications;

/// <summary>Configuration section "Notifications".</summary>
public sealed class NotificationSettings
{
    public const string Section = "Notifications";

    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; each retry doubles it (with jitter), capped at <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Webhooks to loopback or private addresses are refused unless allowed (tests, a clinic's own network).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Local time in the patient's zone after which a day without a check-in gets a reminder.</summary>
    public TimeOnly ReminderLocalTime { get; set; } = new(20, 0);

    /// <summary>Local time in <see cref="DigestTimeZone"/> at which each physiotherapist's <c>digest.daily</c> is sent.</summary>
    public TimeOnly DigestLocalTime { get; set; } = new(8, 0);

    /// <summary>The clinic's zone (IANA id) for the digest: the physiotherapist's working day, not any one patient's.</summary>
    public string DigestTimeZone { get; set; } = "Europe/London";

    public TimeZoneInfo DigestZone => TimeZoneInfo.FindSystemTimeZoneById(DigestTimeZone);
}
