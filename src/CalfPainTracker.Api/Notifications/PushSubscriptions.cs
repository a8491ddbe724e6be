using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using Wolverine.Http;

namespace CalfPainTracker.Notifications;

/// <summary>
/// A browser's push subscription for a patient (the <c>PushSubscription</c> the app's service
/// worker got), in the patient's clinic. The endpoint and keys come from the browser and are
/// treated as untrusted: checked here, and the endpoint's address again on every send.
/// </summary>
public sealed class WebPushSubscription
{
    public Guid Id { get; set; }
    public Guid PatientId { get; set; }

    /// <summary>The device session that subscribed, when it was a phone's: signing the phone out removes the subscription.</summary>
    public Guid? DeviceId { get; set; }

    public string Endpoint { get; set; } = "";
    public string P256dh { get; set; } = "";
    public string Auth { get; set; } = "";
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

/// <summary>What <c>PushSubscription.toJSON()</c> gives in the browser; <c>expirationTime</c> is Unix milliseconds or null.</summary>
public sealed record SubscribeToPushRequest(string? Endpoint, PushSubscriptionKeys? Keys, double? ExpirationTime);

public sealed record PushSubscriptionCreated(Guid Id);

/// <summary>Where a subscription sends, as far as a patient needs to recognise it: the push service's origin, never the whole capability URL.</summary>
public sealed record PushSubscriptionView(Guid Id, string Origin, DateTimeOffset CreatedAt);

public static class PushSubscriptionEndpoints
{
    public const int MaxEndpointLength = 2048;

    /// <summary>A patient reinstalling the app again and again keeps the newest few; each one is a push per reminder.</summary>
    public const int MaxPerPatient = 10;

    [WolverinePost("/api/me/push-subscriptions", Name = "SubscribeToPush")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> Subscribe(
        SubscribeToPushRequest request, ClaimsPrincipal user, IDocumentSession session, NotificationSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var valid = await Check(request, settings, now, errors, cancellation);
        if (valid is null) return errors.ToResult();

        var caller = Caller.From(user);
        var id = IdOf(caller.ClinicId, valid.Endpoint);
        // The same browser subscribing again (every app start may) updates its keys, keeping the id.
        var subscription = await session.LoadAsync<WebPushSubscription>(id, cancellation) ?? new WebPushSubscription { Id = id, CreatedAt = now };
        subscription.PatientId = caller.UserId;
        subscription.DeviceId = Guid.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Sid), out var device) ? device : null;
        subscription.Endpoint = valid.Endpoint;
        subscription.P256dh = valid.P256dh;
        subscription.Auth = valid.Auth;
        subscription.ExpiresAt = valid.ExpiresAt;
        session.Store(subscription);

        var older = await session.Query<WebPushSubscription>()
            .Where(s => s.PatientId == caller.UserId && s.Id != id)
            .OrderByDescending(s => s.CreatedAt).Skip(MaxPerPatient - 1).Select(s => s.Id).ToListAsync(cancellation);
        foreach (var old in older) session.Delete<WebPushSubscription>(old);
        return TypedResults.Created($"/api/me/push-subscriptions/{id}", new PushSubscriptionCreated(id));
    }

    [WolverineGet("/api/me/push-subscriptions", Name = "ListMyPushSubscriptions")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IReadOnlyList<PushSubscriptionView>> Mine(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var subscriptions = await session.Query<WebPushSubscription>().Where(s => s.PatientId == caller.UserId).OrderBy(s => s.CreatedAt).ToListAsync(cancellation);
        return subscriptions.Select(s => new PushSubscriptionView(s.Id, new Uri(s.Endpoint).GetLeftPart(UriPartial.Authority), s.CreatedAt)).ToList();
    }

    [WolverineDelete("/api/me/push-subscriptions/{subscriptionId}", Name = "UnsubscribeFromPush")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> Unsubscribe(Guid subscriptionId, ClaimsPrincipal user, IDocumentSession session, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var subscription = await session.LoadAsync<WebPushSubscription>(subscriptionId, cancellation);
        if (subscription is null || subscription.PatientId != caller.UserId) return NotFound(subscriptionId);
        session.Delete(subscription);
        return TypedResults.NoContent();
    }

    public sealed record ValidSubscription(string Endpoint, string P256dh, string Auth, DateTimeOffset? ExpiresAt);

    /// <summary>
    /// Not named Validate, which Wolverine would run before every endpoint of this class.
    /// The subscription as it will be stored, or null with each bad field named: an https endpoint
    /// on the public internet (http and private addresses only where allowed), a P-256 point and
    /// a 16-byte secret, all base64url.
    /// </summary>
    public static async Task<ValidSubscription?> Check(
        SubscribeToPushRequest request, NotificationSettings settings, DateTimeOffset now, FieldErrors errors, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(errors);
        var endpoint = await Endpoint(request.Endpoint, settings, errors, cancellation);
        var point = Decoded(request.Keys?.P256dh, "keys.p256dh", 65, "an uncompressed P-256 public key (65 bytes)", errors);
        if (point is not null && !IsCurvePoint(point))
        {
            errors.Add("keys.p256dh", "'keys.p256dh' is not a point on the P-256 curve; send the key the browser's subscription gives.");
            point = null;
        }
        var secret = Decoded(request.Keys?.Auth, "keys.auth", 16, "the 16-byte authentication secret", errors);
        DateTimeOffset? expiresAt = null;
        if (request.ExpirationTime is { } ms)
        {
            if (!double.IsFinite(ms) || ms < 0 || ms > 253_402_300_799_000)
            {
                errors.Add("expirationTime", "'expirationTime' must be null or Unix time in milliseconds, as the browser gives it.");
            }
            else if ((expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)ms)) <= now)
            {
                errors.Add("expirationTime", "This subscription has already expired; subscribe again in the browser.");
            }
        }
        if (errors.Any) return null;
        return new ValidSubscription(endpoint!.AbsoluteUri, Base64Url.EncodeToString(point!), Base64Url.EncodeToString(secret!), expiresAt);
    }

    /// <summary>One per clinic and browser endpoint, so concurrent subscribes of the same browser land on one document.</summary>
    private static Guid IdOf(Guid clinic, string endpoint) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{clinic:N}:{endpoint}")).AsSpan(0, 16));

    private static async Task<Uri?> Endpoint(string? text, NotificationSettings settings, FieldErrors errors, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxEndpointLength
            || !Uri.TryCreate(text, UriKind.Absolute, out var url) || url.UserInfo.Length > 0
            || !(url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp && settings.AllowPrivateAddresses))
        {
            errors.Add("endpoint", $"'endpoint' must be the absolute https URL of the browser's push subscription, at most {MaxEndpointLength} characters.");
            return null;
        }
        if (await WebhookTarget.Refusal(url, settings, cancellation, field: "endpoint") is { } refusal)
        {
            errors.Add("endpoint", refusal);
            return null;
        }
        return url;
    }

    private static byte[]? Decoded(string? text, string field, int length, string what, FieldErrors errors)
    {
        byte[]? bytes = null;
        try
        {
            if (text is { Length: > 0 and <= 200 }) bytes = Base64Url.DecodeFromChars(text.TrimEnd('='));
        }
        catch (FormatException)
        {
        }
        if (bytes?.Length == length) return bytes;
        errors.Add(field, $"'{field}' must be {what}, base64url-encoded, as the browser's subscription gives it.");
        return null;
    }

    private static bool IsCurvePoint(byte[] point)
    {
        if (point[0] != 0x04) return false;
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Push subscription not found",
        detail: $"No push subscription {id} of yours exists.");
}
