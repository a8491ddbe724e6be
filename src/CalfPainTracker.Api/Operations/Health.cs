using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Wolverine.Runtime;

namespace CalfPainTracker.Operations;

/// <summary>Ready means this node can take writes: every database of the event store (the shared one and any clinic's own) answers within a couple of seconds.</summary>
public sealed class DatabaseReadiness(IDocumentStore store) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var databases = (await store.Storage.AllDatabases()).Cast<PostgresqlDatabase>().ToList();
        var silent = new List<string>();
        foreach (var database in databases)
        {
            try
            {
                await using var command = database.DataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(timeout.Token);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                silent.Add(databases.Count == 1 ? $"The database does not answer ({Describe(e)})" : $"The database '{database.Identifier}' does not answer ({Describe(e)})");
            }
        }
        return silent.Count == 0
            ? HealthCheckResult.Healthy(databases.Count == 1 ? "The database answers." : $"All {databases.Count} databases answer.")
            : HealthCheckResult.Unhealthy($"{string.Join("; ", silent)}; check-ins cannot be saved until it does.");
    }

    // Says what failed without leaking connection details or SQL.
    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException or TimeoutException => $"no answer within {Timeout.TotalSeconds:0} s",
        PostgresException p => $"PostgreSQL error {p.SqlState}",
        _ => "connection failed",
    };
}

/// <summary>
/// This node's messaging (Wolverine, with Marten's outbox) has started and is not shutting down:
/// a check-in's alerts and webhooks are stored and sent by it, so a node still starting or
/// already stopping should take no writes.
/// </summary>
public sealed class MessagingRunning(IWolverineRuntime runtime, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Unhealthy("This node is still starting.")
            : runtime.Cancellation.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("This node is shutting down.")
            : HealthCheckResult.Healthy("Messaging is running on this node."));
}

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = Write }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = Write }).AllowAnonymous();
        return app;
    }

    private static Task Write(HttpContext context, HealthReport report)
    {
        var healthy = report.Status == HealthStatus.Healthy;
        context.Response.ContentType = healthy ? "application/json" : "application/problem+json";
        context.Response.Headers.CacheControl = "no-store";
        var checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString().ToLowerInvariant(),
            description = e.Value.Description,
            data = e.Value.Data.Count == 0 ? null : e.Value.Data,
        });
        object body = healthy
            ? new { status = "healthy", checks }
            : new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                title = "Service not ready",
                status = StatusCodes.Status503ServiceUnavailable,
                detail = string.Join(" ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description)),
                checks,
            };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
