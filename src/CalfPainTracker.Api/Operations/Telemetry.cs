using System.Diagnostics;
using System.Diagnostics.Metrics;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Security;
using JasperFx.OpenTelemetry;
using Marten;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CalfPainTracker.Operations;

public enum TelemetryExporter { None, Console, Otlp }

/// <summary>
/// Traces and metrics: ASP.NET Core, Wolverine, Marten and Npgsql spans make one trace of a
/// check-in (request, handler, append, outbox), and the product's own instruments count what a
/// clinic cares about. Instruments carry rule, severity, outcome and projection, never a patient.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "CalfPainTracker";
    public const string CheckInsInstrument = "calfpain.check_ins";
    public const string CheckInsWaitingInstrument = "calfpain.check_ins.waiting";
    public const string AlertsRaisedInstrument = "calfpain.alerts.raised";
    public const string WebhookDeliveriesInstrument = "calfpain.webhook.deliveries";
    public const string PushDeliveriesInstrument = "calfpain.push.deliveries";
    public const string EventsBehindInstrument = "calfpain.projection.events_behind";
    public const string SecondsBehindInstrument = "calfpain.projection.seconds_behind";
    public const string OutboxDepthInstrument = "calfpain.outbox.depth";

    private static readonly string[] Sources = ["Wolverine", "Marten", "Npgsql", "CalfPainTracker.CheckIns"];

    public static WebApplicationBuilder AddCalfPainTelemetry(this WebApplicationBuilder builder)
    {
        var exporter = builder.Configuration.GetValue("Telemetry:Exporter", TelemetryExporter.None);
        builder.Services.AddSingleton(builder.Configuration.GetSection(OperationsSettings.Section).Get<OperationsSettings>() ?? new OperationsSettings());
        builder.Services.AddSingleton<Backlog>();
        builder.Services.AddSingleton<BacklogGauges>();
        builder.Services.AddHostedService(s => s.GetRequiredService<BacklogGauges>());
        builder.Services.AddSingleton<WebhookOutcomes>();
        builder.Services.AddSingleton<PushOutcomes>();

        if (exporter == TelemetryExporter.Otlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.AddOtlpExporter();
            });
        }

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["Telemetry:ServiceName"] ?? "calfpaintracker"));
        // Spans only when something receives them: a listener makes every request, handler and SQL
        // command allocate its span even if no exporter reads it.
        if (exporter != TelemetryExporter.None)
        {
            openTelemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddSource(Sources);
                _ = exporter == TelemetryExporter.Console ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
            });
        }
        openTelemetry
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMeter([MeterName, .. Sources]);
                _ = exporter switch
                {
                    TelemetryExporter.Console => metrics.AddConsoleExporter(),
                    TelemetryExporter.Otlp => metrics.AddOtlpExporter(),
                    _ => metrics,
                };
            });
        return builder;
    }

    /// <summary>Counted from committed change sets, so a rolled-back check-in is not counted.</summary>
    public static void CountCommittedEvents(StoreOptions opts)
    {
        opts.OpenTelemetry.TrackConnections = TrackLevel.Normal;
        opts.OpenTelemetry.ExportCounterOnChangeSets<long>(CheckInsInstrument, "{check-in}", (counter, changes) =>
        {
            foreach (var e in changes.GetEvents())
            {
                if (e.Data is CheckInLogged) counter.Add(1, new KeyValuePair<string, object?>("kind", "new"));
                else if (e.Data is CheckInCorrected) counter.Add(1, new KeyValuePair<string, object?>("kind", "correction"));
            }
        });
        opts.OpenTelemetry.ExportCounterOnChangeSets<long>(AlertsRaisedInstrument, "{alert}", (counter, changes) =>
        {
            foreach (var raised in changes.GetEvents().Select(e => e.Data).OfType<AlertRaised>())
            {
                counter.Add(1, new("rule", Http.WireNames.Of(raised.Rule)), new("severity", Http.WireNames.Of(raised.Severity)));
            }
        });
    }

    /// <summary>
    /// One correlation id per request: echoed to the caller, stamped on the request's events,
    /// written on every log line of the request and tagged on its trace.
    /// </summary>
    public static WebApplication UseCorrelation(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CalfPainTracker.Requests");
        app.Use(async (context, next) =>
        {
            var correlationId = AuditTrail.ChooseCorrelationId(context);
            context.Items[AuditTrail.CorrelationHeader] = correlationId;
            context.Response.Headers[AuditTrail.CorrelationHeader] = correlationId;
            Activity.Current?.SetTag("calfpain.correlation_id", correlationId);
            using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId }))
            {
                await next(context);
            }
        });
        return app;
    }
}

/// <summary>Webhook attempts by outcome: delivered, retrying, dead-lettered.</summary>
public sealed class WebhookOutcomes(IMeterFactory meters)
{
    private readonly Counter<long> deliveries = meters.Create(Telemetry.MeterName)
        .CreateCounter<long>(Telemetry.WebhookDeliveriesInstrument, "{attempt}", "Webhook delivery attempts by outcome");

    public void Record(string outcome) => deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>Web Push attempts by outcome: delivered, retrying, removed (the subscription is gone), failed.</summary>
public sealed class PushOutcomes(IMeterFactory meters)
{
    private readonly Counter<long> deliveries = meters.Create(Telemetry.MeterName)
        .CreateCounter<long>(Telemetry.PushDeliveriesInstrument, "{attempt}", "Web Push reminder attempts by outcome");

    public void Record(string outcome) => deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>
/// Projection lag and outbox depth as gauges, refreshed in the background: gauges are read
/// synchronously by the exporter, and a database round trip does not belong there.
/// </summary>
public sealed partial class BacklogGauges : BackgroundService
{
    private readonly Backlog backlog;
    private readonly OperationsSettings settings;
    private readonly ILogger<BacklogGauges> logger;
    private readonly KeyValuePair<string, object?> store;
    private IReadOnlyList<BacklogReading> latest = [];

    public BacklogGauges(Backlog backlog, OperationsSettings settings, IMeterFactory meters, IDocumentStore documents, ILogger<BacklogGauges> logger)
    {
        this.backlog = backlog;
        this.settings = settings;
        this.logger = logger;
        store = new("event_store", documents.Options.Events.DatabaseSchemaName);
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge(Telemetry.EventsBehindInstrument, () => Projections(p => p.EventsBehind), "{event}", "Events not yet applied by each async projection");
        meter.CreateObservableGauge(Telemetry.SecondsBehindInstrument, () => Projections(p => p.TimeBehind.TotalSeconds), "s", "Age of the oldest event each async projection has not applied");
        meter.CreateObservableGauge(Telemetry.OutboxDepthInstrument, OutboxDepth, "{message}", "Durable messages waiting, by state");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first reading waits one interval: at start-up Wolverine is still creating its tables.
        using var timer = new PeriodicTimer(settings.BacklogSampleInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                latest = await backlog.Read(outbox: true, stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // A database outage shows in readiness; the gauges keep their last reading.
                LogUnreadable(logger, e.Message);
            }
        }
    }

    private IEnumerable<Measurement<T>> Projections<T>(Func<ProjectionLag, T> value) where T : struct =>
        latest.SelectMany(r => r.Projections.Select(p => new Measurement<T>(value(p), store, new("database", r.Database), new("projection", p.Projection))));

    private IEnumerable<Measurement<long>> OutboxDepth() =>
        latest.Where(r => r.Outbox is not null).SelectMany(r => new[]
        {
            new Measurement<long>(r.Outbox!.Incoming, store, new("database", r.Database), new("state", "incoming")),
            new Measurement<long>(r.Outbox.Overdue, store, new("database", r.Database), new("state", "overdue")),
            new Measurement<long>(r.Outbox.Outgoing, store, new("database", r.Database), new("state", "outgoing")),
        });

    [LoggerMessage(LogLevel.Warning, "The backlog could not be read ({Error}); gauges keep their last values.")]
    private static partial void LogUnreadable(ILogger logger, string error);
}
