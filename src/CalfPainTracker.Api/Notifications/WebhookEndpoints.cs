using System.Security.Claims;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace CalfPainTracker.Notifications;

public sealed record CreateWebhookRequest(string? Url, string? Secret, string?[]? Events);

/// <summary>A webhook as the API shows it: never with its secret.</summary>
public sealed record WebhookView(Guid Id, Uri Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt)
{
    public static WebhookView Of(Webhook w) => new(w.Id, w.Url, w.Events, w.CreatedAt);
}

public sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks);

public sealed record DeliveryList(Guid WebhookId, IReadOnlyList<DeliveryView> Deliveries);

public sealed record DeliveryView(Guid Id, string Event, DeliveryStatus Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt)
{
    public static DeliveryView Of(WebhookDelivery d) =>
        new(d.Id, d.Event, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt, d.DeliveredAt);
}

/// <summary>A clinic's administrator manages where its alerts are sent.</summary>
public static class WebhookEndpoints
{
    public const int MinimumSecretLength = 16;
    public const int DeliveriesShown = 200;

    [WolverinePost("/api/webhooks", Name = "CreateWebhook")]
    [Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<IResult> Create(
        CreateWebhookRequest request, ClaimsPrincipal user, IDocumentSession session, NotificationSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var url = await ValidUrl(request.Url, settings, errors, cancellation);
        if (request.Secret is null || request.Secret.Length < MinimumSecretLength || request.Secret.Length > 256)
        {
            errors.Add("secret", $"'secret' must be {MinimumSecretLength} to 256 characters; the receiver uses it to verify signatures.");
        }
        var events = (request.Events ?? []).Distinct().ToList();
        if (events.Count == 0) errors.Add("events", $"'events' must name at least one of {string.Join(", ", WebhookEvents.All)}.");
        foreach (var (name, i) in events.Select((e, i) => (e, i)).Where(p => !WebhookEvents.All.Contains(p.e)))
        {
            errors.Add($"events[{i}]", $"'{name}' is not an event; use {string.Join(", ", WebhookEvents.All)}.");
        }
        if (errors.Any) return errors.ToResult();

        var webhook = new Webhook
        {
            Id = Guid.CreateVersion7(),
            Url = url!,
            Secret = request.Secret!,
            Events = events!,
            CreatedBy = Caller.From(user).UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        session.Store(webhook);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}", WebhookView.Of(webhook));
    }

    [WolverineGet("/api/webhooks", Name = "ListWebhooks")]
    [Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<WebhookList> List(IQuerySession session, CancellationToken cancellation) =>
        new((await session.Query<Webhook>().OrderBy(w => w.CreatedAt).ToListAsync(cancellation)).Select(WebhookView.Of).ToList());

    [WolverineDelete("/api/webhooks/{webhookId}", Name = "DeleteWebhook")]
    [Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<IResult> Delete(Guid webhookId, IDocumentSession session, CancellationToken cancellation)
    {
        if (await session.LoadAsync<Webhook>(webhookId, cancellation) is null) return Problems.WebhookNotFound(webhookId);
        session.Delete<Webhook>(webhookId);
        return TypedResults.NoContent();
    }

    /// <summary>What was sent to the webhook, newest first: status, attempts and the last error.</summary>
    [WolverineGet("/api/webhooks/{webhookId}/deliveries", Name = "ListWebhookDeliveries")]
    [Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<IResult> Deliveries(Guid webhookId, IQuerySession session, CancellationToken cancellation)
    {
        if (await session.LoadAsync<Webhook>(webhookId, cancellation) is null) return Problems.WebhookNotFound(webhookId);
        var deliveries = await session.Query<WebhookDelivery>()
            .Where(d => d.WebhookId == webhookId)
            .OrderByDescending(d => d.CreatedAt)
            .Take(DeliveriesShown)
            .ToListAsync(cancellation);
        return TypedResults.Ok(new DeliveryList(webhookId, deliveries.Select(DeliveryView.Of).ToList()));
    }

    /// <summary>Sends a delivery again, with the same delivery id, after the receiver is fixed.</summary>
    [WolverinePost("/api/webhooks/{webhookId}/deliveries/{deliveryId}/replay", Name = "ReplayWebhookDelivery")]
    [Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<IResult> Replay(Guid webhookId, Guid deliveryId, IDocumentSession session, IMessageBus bus, CancellationToken cancellation)
    {
        var delivery = await session.LoadAsync<WebhookDelivery>(deliveryId, cancellation);
        if (delivery is null || delivery.WebhookId != webhookId) return Problems.WebhookNotFound(webhookId);
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        session.Store(delivery);
        await bus.PublishAsync(new DeliverWebhook(delivery.Id));
        return TypedResults.Accepted($"/api/webhooks/{webhookId}/deliveries", DeliveryView.Of(delivery));
    }

    /// <summary>An absolute http(s) URL whose host resolves to public addresses only (<see cref="WebhookTarget"/>).</summary>
    private static async Task<Uri?> ValidUrl(string? text, NotificationSettings settings, FieldErrors errors, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || text!.Length > 2000)
        {
            errors.Add("url", "'url' must be an absolute http or https URL.");
            return null;
        }
        if (await WebhookTarget.Refusal(url, settings, cancellation) is { } refusal)
        {
            errors.Add("url", refusal);
            return null;
        }
        return url;
    }
}
