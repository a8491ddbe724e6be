using System.Net;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Operations;
using CalfPainTracker.Security;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Marten;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Wolverine;

namespace CalfPainTracker.Notifications;

/// <summary>
/// One push message to one browser subscription, published in the transaction that appended the
/// reminder (Wolverine's outbox). The payload is fixed when published, so a retry sends the same.
/// </summary>
public sealed record DeliverPush(Guid SubscriptionId, string Payload, int Attempt = 1);

/// <summary>What the app's service worker receives, decrypted: enough to show the notification and open the app on the right day.</summary>
public sealed record PushReminderPayload(string Title, string Body, string Url, string Day, string Tag);

public static class ReminderPush
{
    public const string Title = "Time for today's check-in";
    public const string Body = "How is your calf today? Logging it takes about a minute.";

    /// <summary>A push per subscription of the patient's, for the caller to send in its transaction.</summary>
    public static async Task<IReadOnlyList<DeliverPush>> Publish(IDocumentSession session, Episode episode, CheckInReminderDue reminder, PublicAddress site, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(reminder);
        ArgumentNullException.ThrowIfNull(site);
        // The session belongs to the episode's clinic, so this finds the patient's subscriptions there only.
        var subscriptions = await session.Query<WebPushSubscription>().Where(s => s.PatientId == episode.PatientId).Select(s => s.Id).ToListAsync(cancellation);
        if (subscriptions.Count == 0) return [];
        var payload = JsonSerializer.Serialize(Payload(reminder.Day, site), JsonSerializerOptions.Web);
        return subscriptions.Select(id => new DeliverPush(id, payload)).ToList();
    }

    /// <summary>Pure. The tag makes a second reminder for the same day replace the first on the phone instead of stacking.</summary>
    public static PushReminderPayload Payload(DateOnly day, PublicAddress site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var text = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return new PushReminderPayload(Title, Body, new Uri(site.Link("/app")).AbsolutePath, text, $"checkin-reminder-{text}");
    }
}

public static class DeliverPushHandler
{
    public const string HttpClientName = "webpush";

    /// <summary>Replaces a reminder still waiting at the push service (a phone off all day) with the newer one.</summary>
    public const string Topic = "checkin-reminder";

    public static async Task Handle(
        DeliverPush message,
        IDocumentSession session,
        IHttpClientFactory clients,
        VapidKeys keys,
        WebPushSettings push,
        NotificationSettings settings,
        IMessageBus bus,
        TimeProvider clock,
        PushOutcomes outcomes,
        CancellationToken cancellation)
    {
        var subscription = await session.LoadAsync<WebPushSubscription>(message.SubscriptionId, cancellation);
        if (subscription is null) return; // unsubscribed, or signed out, since
        if (subscription.ExpiresAt <= clock.GetUtcNow())
        {
            session.Delete(subscription);
            outcomes.Record("removed");
            return;
        }

        var (status, refused) = await Send(subscription, message.Payload, clients, await keys.Current(cancellation), push, settings, cancellation);
        if (status is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted)
        {
            outcomes.Record("delivered");
        }
        else if (refused || status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            // 404/410: the browser unsubscribed or the subscription expired (RFC 8030 section 7.3); it will never work again.
            session.Delete(subscription);
            outcomes.Record("removed");
        }
        else if (RetryPolicy.IsRetryable(status) && message.Attempt < push.MaxAttempts)
        {
            await bus.ScheduleAsync(message with { Attempt = message.Attempt + 1 }, RetryPolicy.DelayBefore(message.Attempt + 1, settings, Random.Shared.NextDouble()));
            outcomes.Record("retrying");
        }
        else
        {
            outcomes.Record("failed");
        }
    }

    /// <summary>
    /// The push service's status, or null when it could not be reached; <c>refused</c> when the
    /// endpoint resolved to an address the service may not call. Exceptions become outcomes:
    /// nothing from the network reaches a log or a response.
    /// </summary>
    private static async Task<(HttpStatusCode? Status, bool Refused)> Send(
        WebPushSubscription subscription, string payload, IHttpClientFactory clients, VapidKey key, WebPushSettings push, NotificationSettings settings, CancellationToken cancellation)
    {
        var client = new PushServiceClient(clients.CreateClient(HttpClientName))
        {
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            // 429 is retried here, durably, not by the library waiting inside the handler.
            AutoRetryAfter = false,
        };
        var target = new PushSubscription { Endpoint = subscription.Endpoint };
        target.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        target.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        var message = new PushMessage(payload)
        {
            TimeToLive = (int)push.TimeToLive.TotalSeconds,
            Urgency = PushMessageUrgency.Normal,
            Topic = Topic,
        };
        var authentication = new VapidAuthentication(key.PublicKey, key.PrivateKey)
        {
            TokenCache = new OriginToken(VapidToken(key, new Uri(subscription.Endpoint), push.Subject)),
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(settings.DeliveryTimeout);
            await client.RequestPushMessageDeliveryAsync(target, message, authentication, timeout.Token);
            return (HttpStatusCode.Created, false);
        }
        catch (PushServiceClientException e)
        {
            return (e.StatusCode, false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return (null, false);
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException is AddressNotAllowedException);
        }
    }

    /// <summary>
    /// The VAPID JWT (RFC 8292): <c>aud</c> the endpoint's origin, port included (the library
    /// leaves a non-default port out), <c>exp</c> 12 h ahead, <c>sub</c> the operator's contact.
    /// </summary>
    public static string VapidToken(VapidKey key, Uri endpoint, string? subject)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(endpoint);
        using var signer = VapidKeys.Signer(key);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (subject is not null) claims["sub"] = subject;
        // Push services check the expiry against the real clock, so it is dated by it too.
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Audience = endpoint.GetLeftPart(UriPartial.Authority),
            Expires = DateTime.UtcNow.AddHours(12),
            Claims = claims,
            // Not cached: the library's cache keys on the public key and would keep this ECDsa past its disposal.
            SigningCredentials = new SigningCredentials(
                new ECDsaSecurityKey(signer) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
                SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>Hands the library the token minted for this one send instead of one it would make without the port.</summary>
    private sealed class OriginToken(string token) : IVapidTokenCache
    {
        public string Get(string audience) => token;

        public void Put(string audience, DateTimeOffset expiration, string token)
        {
        }
    }
}
