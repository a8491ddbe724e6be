using System.Diagnostics;
using System.Net;
using CalfPainTracker.Operations;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CalfPainTracker.Tests.Operations;

[CollectionDefinition(nameof(TelemetryAlone), DisableParallelization = true)]
public sealed class TelemetryAlone;

/// <summary>
/// What an operator sees of one check-in, through in-memory exporters: one trace from the HTTP
/// request through the handler, the append and the outbox; the product's instruments with the
/// right values; logs that carry the correlation id and none of the patient's words. Runs alone:
/// meters are process-wide, and other tests' check-ins would move the counters.
/// </summary>
[Collection(nameof(TelemetryAlone))]
public sealed class TelemetryTests
{
    private const string Schema = "calfpain_telemetry";
    private const string Note = "Walked the dog past the bakery on Elm Street";

    [Fact]
    public async Task A_check_in_that_raises_an_emergency_shows_in_one_trace_in_the_metrics_and_in_logs_without_its_note()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var logs = new List<LogRecord>();
        var connectionString = await PostgresServer.ConnectionString;
        await using var receiver = await WebhookReceiver.Start();
        await using var host = await ApiHost.Start(connectionString, Schema, TimeProvider.System, builder =>
        {
            builder.UseSetting("Notifications:AllowPrivateAddresses", "true");
            // No daemon: the projection's lag is then exactly the events this test wrote.
            builder.UseSetting("Marten:DaemonMode", "Disabled");
            builder.UseSetting("Operations:BacklogSampleInterval", "00:00:00.200");
            // Spans are recorded only with an exporter configured; the console one is the simplest real one.
            builder.UseSetting("Telemetry:Exporter", "Console");
            builder.ConfigureServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
                services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddOpenTelemetry(o =>
                {
                    o.IncludeScopes = true;
                    o.IncludeFormattedMessage = true;
                    o.AddInMemoryExporter(logs);
                }));
            });
        });
        var clinic = new TestClinic(host);
        var today = PatientCalendar.DaysAgo(0, TestUser.Zone);
        await (await clinic.Admin().Post("/api/webhooks", new { url = receiver.Url, secret = "telemetry-test-secret", events = new[] { "alert.raised" } })).ShouldBe(HttpStatusCode.Created);
        var patient = clinic.Patient();
        var episode = await patient.OpenEpisode(onsetDate: today);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/episodes/{episode}/check-ins")
        {
            Content = System.Net.Http.Json.JsonContent.Create(TestUser.CheckIn(today, pain: 7, with: new { symptoms = new[] { "chest-pain" }, notes = Note })),
        };
        request.Headers.Add("X-Correlation-Id", "trace-me-42");
        await (await patient.Client().SendAsync(request)).ShouldBe(HttpStatusCode.Created);
        await receiver.WaitFor(1);
        await Task.Delay(600); // a few backlog samples

        var providers = (host.Services.GetRequiredService<TracerProvider>(), host.Services.GetRequiredService<MeterProvider>());
        providers.Item1.ForceFlush();
        providers.Item2.ForceFlush();

        // One trace: the request, Marten's connection with the append, Npgsql's commands, Wolverine's outbox.
        var checkIn = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.DisplayName == "POST /api/episodes/{episodeId}/check-ins");
        Assert.Equal("trace-me-42", checkIn.GetTagItem("calfpain.correlation_id"));
        var trace = spans.Where(s => s.TraceId == checkIn.TraceId).ToList();
        var sources = trace.Select(s => s.Source.Name).ToHashSet();
        Assert.True(sources.IsSupersetOf(["Microsoft.AspNetCore", "Marten", "Npgsql", "Wolverine"]), Describe(trace));
        Assert.Contains(trace, s => s.Source.Name == "Wolverine" && s.DisplayName.Contains("DeliverWebhook", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(trace, s => s.Source.Name == "System.Net.Http" || s.DisplayName.StartsWith("POST", StringComparison.Ordinal) && s.Kind == ActivityKind.Client);

        Assert.Equal(1, Sum(metrics, Telemetry.CheckInsInstrument, ("kind", "new")));
        Assert.Equal(1, Sum(metrics, Telemetry.AlertsRaisedInstrument, ("rule", "possible-clot-in-lungs"), ("severity", "emergency")));
        Assert.Equal(1, Sum(metrics, Telemetry.WebhookDeliveriesInstrument, ("outcome", "delivered")));
        var written = await EventsIn(connectionString);
        Assert.Equal(written, Last(metrics, Telemetry.EventsBehindInstrument, ("event_store", Schema), ("projection", "EpisodeTrend:All")));
        Assert.True(Last(metrics, Telemetry.SecondsBehindInstrument, ("event_store", Schema), ("projection", "EpisodeTrend:All")) > 0);
        Assert.Equal(0, Last(metrics, Telemetry.OutboxDepthInstrument, ("event_store", Schema), ("state", "outgoing")));
        // The episode's reminder and missed-check-in check wait for their time: reported neither as overdue nor at all.
        Assert.NotEmpty(Points(metrics, Telemetry.OutboxDepthInstrument, [("event_store", Schema), ("state", "overdue")]));
        Assert.Equal(0, Last(metrics, Telemetry.OutboxDepthInstrument, ("event_store", Schema), ("state", "overdue")));
        Assert.Empty(Points(metrics, Telemetry.OutboxDepthInstrument, [("event_store", Schema), ("state", "scheduled")]));

        // Logs of the request carry its correlation id; no log line anywhere holds the note.
        Assert.Contains(logs, l => Scopes(l).Contains(("CorrelationId", "trace-me-42")));
        Assert.DoesNotContain(logs, l => Text(l).Contains("Elm Street", StringComparison.Ordinal));
    }

    private static async Task<long> EventsIn(string connectionString)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand($"select count(*) from {Schema}.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double Sum(List<Metric> metrics, string name, params (string Key, string Value)[] tags) =>
        Points(metrics, name, tags).Select(p => (double)p.GetSumLong()).LastOrDefault();

    private static double Last(List<Metric> metrics, string name, params (string Key, string Value)[] tags)
    {
        var isLong = metrics.First(m => m.Name == name).MetricType == MetricType.LongGauge;
        return Points(metrics, name, tags).Select(p => isLong ? p.GetGaugeLastValueLong() : p.GetGaugeLastValueDouble()).LastOrDefault();
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name, (string Key, string Value)[] tags)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new List<(string, string)>();
                foreach (var tag in point.Tags) pointTags.Add((tag.Key, tag.Value?.ToString() ?? ""));
                if (tags.All(pointTags.Contains)) points.Add(point);
            }
        }
        return points;
    }

    private static List<(string, string)> Scopes(LogRecord log)
    {
        var scopes = new List<(string, string)>();
        log.ForEachScope((scope, list) =>
        {
            foreach (var item in scope) list.Add((item.Key, item.Value?.ToString() ?? ""));
        }, scopes);
        return scopes;
    }

    private static string Text(LogRecord log) =>
        string.Join(" | ", new[] { log.FormattedMessage ?? "", log.Exception?.ToString() ?? "" }
            .Concat((log.Attributes ?? []).Select(a => $"{a.Key}={a.Value}"))
            .Concat(Scopes(log).Select(s => $"{s.Item1}={s.Item2}")));

    private static string Describe(List<Activity> trace) =>
        string.Join("\n", trace.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName}"));
}
