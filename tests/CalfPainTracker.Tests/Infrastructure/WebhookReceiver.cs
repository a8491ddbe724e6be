using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>A real HTTP receiver on loopback, as a clinic's integration would run, that can be told to fail.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();

    public sealed record Received(string Body, string Signature, string Timestamp, string Delivery, DateTimeOffset At);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> Start(int? port = null)
    {
        port ??= PostgresServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, $"http://127.0.0.1:{port}/hooks/calfpain");
        app.MapPost("/hooks/calfpain", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            receiver.Requests.Enqueue(new Received(
                await reader.ReadToEndAsync(),
                context.Request.Headers["X-CalfPain-Signature"].ToString(),
                context.Request.Headers["X-CalfPain-Timestamp"].ToString(),
                context.Request.Headers["X-CalfPain-Delivery"].ToString(),
                DateTimeOffset.UtcNow));
            return Results.StatusCode(receiver._answers.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next requests are answered with these statuses, in order; then 200 again.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses) _answers.Enqueue(status);
    }

    public async Task<List<Received>> WaitFor(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Requests.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return [.. Requests];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
