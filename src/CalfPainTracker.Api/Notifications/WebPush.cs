using System.Buffers.Text;
using System.Security.Cryptography;
using CalfPainTracker.Security;
using Marten;
using JasperFx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Wolverine.Http;

namespace CalfPainTracker.Notifications;

/// <summary>Configuration section "WebPush": the VAPID identity reminders are sent with (RFC 8292).</summary>
public sealed class WebPushSettings
{
    public const string Section = "WebPush";

    /// <summary>Base64url uncompressed P-256 point, as web-push tools print it; with <see cref="PrivateKey"/>, or neither.</summary>
    public string? PublicKey { get; set; }

    /// <summary>Base64url 32-byte private scalar.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The <c>sub</c> push services contact the operator at: <c>mailto:</c> or an https URL. Default: PublicUrl when it is https.</summary>
    public string? Subject { get; set; }

    /// <summary>How long a push service keeps a reminder for a phone that is off; a reminder a day late is noise.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(12);

    public int MaxAttempts { get; set; } = 4;

    /// <summary>Read and checked at start-up, so a mistyped key stops the service rather than every reminder.</summary>
    public static WebPushSettings From(IConfiguration configuration, PublicAddress site)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(site);
        var settings = configuration.GetSection(Section).Get<WebPushSettings>() ?? new WebPushSettings();
        if (string.IsNullOrWhiteSpace(settings.PublicKey) != string.IsNullOrWhiteSpace(settings.PrivateKey))
        {
            throw new InvalidOperationException("WebPush:PublicKey and WebPush:PrivateKey are set together or not at all.");
        }
        if (settings.Configured() is { } pair && !VapidKeys.IsPair(pair))
        {
            throw new InvalidOperationException(
                "WebPush:PublicKey must be a base64url uncompressed P-256 point (65 bytes) and WebPush:PrivateKey its base64url 32-byte private key; these are not a pair.");
        }
        if (string.IsNullOrWhiteSpace(settings.Subject))
        {
            settings.Subject = site.BaseUrl.Scheme == Uri.UriSchemeHttps ? site.Issuer : null;
        }
        else if (!IsContact(settings.Subject))
        {
            throw new InvalidOperationException($"WebPush:Subject must be a mailto: address or an https URL; '{settings.Subject}' is neither.");
        }
        if (settings.TimeToLive <= TimeSpan.Zero || settings.TimeToLive > TimeSpan.FromDays(28))
        {
            throw new InvalidOperationException("WebPush:TimeToLive must be more than zero and at most 28 days.");
        }
        return settings;
    }

    public VapidKey? Configured() =>
        string.IsNullOrWhiteSpace(PublicKey) || string.IsNullOrWhiteSpace(PrivateKey) ? null : new VapidKey(PublicKey.Trim(), PrivateKey.Trim());

    private static bool IsContact(string subject) =>
        subject.StartsWith("mailto:", StringComparison.Ordinal) && subject.Length > "mailto:".Length
        || Uri.TryCreate(subject, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps;
}

/// <summary>The application server's key pair, both halves base64url as browsers and web-push tools write them.</summary>
public sealed record VapidKey(string PublicKey, string PrivateKey);

/// <summary>
/// The VAPID key pair the service made for itself, one for every node and clinic. Never rotated:
/// every browser subscription is bound to the public key, and a new one would silence them all.
/// </summary>
public sealed class VapidKeyPair
{
    public const string OnlyId = "vapid";

    public string Id { get; set; } = OnlyId;
    public DateTimeOffset CreatedAt { get; set; }
    public string PublicKey { get; set; } = "";
    public string ProtectedPrivateKey { get; set; } = "";
}

/// <summary>
/// The VAPID keys: from configuration when set, else made on first need and kept in PostgreSQL
/// with the private half under Data Protection, like <see cref="ServiceSigningKeys"/>.
/// </summary>
public sealed class VapidKeys(IDocumentStore store, IDataProtectionProvider protection, WebPushSettings settings, TimeProvider clock) : IDisposable
{
    private readonly IDataProtector protector = protection.CreateProtector("CalfPainTracker.VapidKeys");
    private readonly SemaphoreSlim loading = new(1, 1);
    private VapidKey? known = settings.Configured();

    public async Task<VapidKey> Current(CancellationToken cancellation)
    {
        if (known is { } key) return key;
        await loading.WaitAsync(cancellation);
        try
        {
            return known ??= await LoadOrCreate(cancellation);
        }
        finally
        {
            loading.Release();
        }
    }

    public void Dispose() => loading.Dispose();

    /// <summary>Whether the private key signs what the public key verifies: a mismatched pair would be refused by every push service.</summary>
    public static bool IsPair(VapidKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var point = Base64Url.DecodeFromChars(key.PublicKey);
            var scalar = Base64Url.DecodeFromChars(key.PrivateKey);
            if (point is not [0x04, ..] || point.Length != 65 || scalar.Length != 32) return false;
            var q = new ECPoint { X = point[1..33], Y = point[33..] };
            using var signer = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = q, D = scalar });
            using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = q });
            byte[] probe = [1, 2, 3];
            return verifier.VerifyData(probe, signer.SignData(probe, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>An ECDSA key for signing the VAPID token.</summary>
    public static ECDsa Signer(VapidKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var point = Base64Url.DecodeFromChars(key.PublicKey);
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
            D = Base64Url.DecodeFromChars(key.PrivateKey),
        });
    }

    private async Task<VapidKey> LoadOrCreate(CancellationToken cancellation)
    {
        await using (var session = store.QuerySession())
        {
            if (await session.LoadAsync<VapidKeyPair>(VapidKeyPair.OnlyId, cancellation) is { } stored) return Open(stored);
        }

        using var made = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = made.ExportParameters(includePrivateParameters: true);
        var pair = new VapidKeyPair
        {
            CreatedAt = clock.GetUtcNow(),
            PublicKey = Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]),
            ProtectedPrivateKey = Convert.ToBase64String(protector.Protect(parameters.D!)),
        };
        try
        {
            await using var session = store.LightweightSession();
            // Insert, not Store: two nodes making a key at once must not overwrite each other's.
            session.Insert(pair);
            await session.SaveChangesAsync(cancellation);
            return Open(pair);
        }
        catch (DocumentAlreadyExistsException)
        {
            await using var session = store.QuerySession();
            return Open((await session.LoadAsync<VapidKeyPair>(VapidKeyPair.OnlyId, cancellation))!);
        }
    }

    private VapidKey Open(VapidKeyPair pair) =>
        new(pair.PublicKey, Base64Url.EncodeToString(protector.Unprotect(Convert.FromBase64String(pair.ProtectedPrivateKey))));
}

/// <summary>What <c>pushManager.subscribe({ applicationServerKey })</c> takes.</summary>
public sealed record PushPublicKey(string PublicKey);

public static class WebPushKeyEndpoint
{
    /// <summary>The service's VAPID public key. Public: it is in every push message's header anyway, and the app needs it before asking.</summary>
    [WolverineGet("/api/push/public-key", Name = "WebPushPublicKey")]
    [AllowAnonymous]
    public static async Task<PushPublicKey> Get(VapidKeys keys, HttpResponse response, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "public, max-age=3600";
        return new PushPublicKey((await keys.Current(cancellation)).PublicKey);
    }
}
