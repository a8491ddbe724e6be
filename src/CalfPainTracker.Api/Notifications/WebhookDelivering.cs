using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CalfPainTracker.Operations;
using Marten;
using Wolverine;

namespace CalfPainTracker.Notifications;

/// <summary>Sent through Wolverine's durable outbox, in the same transaction as the event it announces.</summary>
public sealed record DeliverWebhook(Guid DeliveryId);

public static class WebhookSignature
{
    public const string SignatureHeader = "X-CalfPain-Signature";
    public const string TimestampHeader = "X-CalfPain-Timestamp";
    public const string DeliveryHeader = "X-CalfPain-Delivery";

    /// <summary><c>sha256=</c> + hex HMAC-SHA256 of <c>timestamp + "." + body</c> with the webhook's secret.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));
}

/// <summary>Whether and when to try a failed delivery again.</summary>
public static class RetryPolicy
{
    /// <summary>Server errors, timeouts and refused connections may pass; a 4xx will not, except 408 and 429.</summary>
    public static bool IsRetryable(HttpStatusCode? status) =>
        status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Exponential backoff with ±20% jitter, so receivers coming back up are not hit by every sender at once.</summary>
    public static TimeSpan DelayBefore(int nextAttempt, NotificationSettings settings, double jitter)
    {
        var exponential = settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, nextAttempt - 2);
        var capped = Math.Min(exponential, settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * jitter));
    }
}

/// <summary>
/// What the delivery log says went wrong: a fixed category, never the text of an exception or
/// of the receiver's answer, so that the log cannot be used to map the network behind the service.
/// </summary>
public static class DeliveryErrors
{
    public const string Timeout = "timeout";
    public const string ConnectionFailed = "connection failed";
    public const string AddressNotAllowed = "refused: address not allowed";
    public const string WebhookDeleted = "webhook deleted";

    public static string Http(HttpStatusCode status) => $"HTTP {(int)status}";
}

public static class DeliverWebhookHandler
{
    public const string HttpClientName = "webhooks";

    public static async Task Handle(
        DeliverWebhook message,
        IDocumentSession session,
        IHttpClientFactory clients,
        IMessageBus bus,
        NotificationSettings settings,
        TimeProvider clock,
        WebhookOutcomes outcomes,
        CancellationToken cancellation)
    {
        var delivery = await session.LoadAsync<WebhookDelivery>(message.DeliveryId, cancellation);
        if (delivery is null || delivery.Status != DeliveryStatus.Pending) return; // delivered already: at-least-once, not twice on purpose
        var webhook = await session.LoadAsync<Webhook>(delivery.WebhookId, cancellation);
        if (webhook is null)
        {
            Fail(delivery, null, DeliveryErrors.WebhookDeleted, clock, outcomes);
            session.Store(delivery);
            return;
        }

        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, timestamp, delivery.Payload));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());

        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        HttpStatusCode? status = null;
        string? error;
        var refused = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(settings.DeliveryTimeout);
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = response.StatusCode;
            error = response.IsSuccessStatusCode ? null : DeliveryErrors.Http(response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            error = DeliveryErrors.Timeout;
        }
        catch (HttpRequestException e) when (e.InnerException is AddressNotAllowedException)
        {
            error = DeliveryErrors.AddressNotAllowed;
            refused = true;
        }
        catch (HttpRequestException)
        {
            error = DeliveryErrors.ConnectionFailed;
        }

        delivery.LastStatusCode = (int?)status;
        delivery.LastError = error;
        if (error is null)
        {
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            outcomes.Record("delivered");
        }
        else if (!refused && RetryPolicy.IsRetryable(status) && delivery.Attempts < settings.MaxAttempts)
        {
            // The retry is a durable scheduled message saved with this attempt's record.
            await bus.ScheduleAsync(message, RetryPolicy.DelayBefore(delivery.Attempts + 1, settings, Random.Shared.NextDouble()));
            outcomes.Record("retrying");
        }
        else
        {
            Fail(delivery, status, error, clock, outcomes);
        }
        session.Store(delivery);
    }

    private static void Fail(WebhookDelivery delivery, HttpStatusCode? status, string error, TimeProvider clock, WebhookOutcomes outcomes)
    {
        outcomes.Record("dead-lettered");
        delivery.Status = DeliveryStatus.DeadLettered;
        delivery.LastStatusCode = (int?)status;
        delivery.LastError = error;
        delivery.LastAttemptAt ??= clock.GetUtcNow();
    }
}
