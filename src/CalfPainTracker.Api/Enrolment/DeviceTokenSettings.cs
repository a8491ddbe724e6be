namespace CalfPainTracker.Enrolment;

/// <summary>Configuration section "Auth": how long what the service issues to patients' phones lives.</summary>
public sealed class DeviceTokenSettings
{
    public const string Section = "Auth";

    /// <summary>RFC 9700 and the contract: a stolen access token is useful for minutes, not hours.</summary>
    public static readonly TimeSpan LongestAccessTokenLifetime = TimeSpan.FromMinutes(15);

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A phone unused for this long signs in again with a new invitation.</summary>
    public TimeSpan DeviceSessionIdleLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>After this a new signing key is made; the previous one stays trusted until its tokens have expired.</summary>
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Attempts to redeem an invitation or refresh a session per client address per minute (guessing codes is pointless, but cheap to stop).</summary>
    public int SessionAttemptsPerMinutePerAddress { get; set; } = 20;

    public static DeviceTokenSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(Section).Get<DeviceTokenSettings>() ?? new DeviceTokenSettings();
        if (settings.AccessTokenLifetime <= TimeSpan.Zero || settings.AccessTokenLifetime > LongestAccessTokenLifetime)
        {
            throw new InvalidOperationException($"Auth:AccessTokenLifetime must be more than zero and at most {LongestAccessTokenLifetime.TotalMinutes:0} minutes.");
        }
        if (settings.SigningKeyLifetime < TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException("Auth:SigningKeyLifetime must be at least an hour: every rotation waits for every node to trust the new key.");
        }
        return settings;
    }
}
