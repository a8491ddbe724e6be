using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Time from a check-in's 201 to its webhook's arrival at a receiver on loopback: each of
/// <c>count</c> patients logs one emergency check-in, at <c>rate</c> check-ins a second.
/// The service must allow private webhook targets (Notifications__AllowPrivateAddresses=true).
/// </summary>
public static class AlertLatency
{
    public static async Task<int> Run(Uri service, int count, int rate, JwtSettings jwt)
    {
        var received = new ConcurrentDictionary<Guid, long>();
        var receiverPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{receiverPort}");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            var payload = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
            received.TryAdd(payload["episodeId"]!.GetValue<Guid>(), arrived);
            return Results.Ok();
        });
        await receiver.StartAsync();

        var clinic = Guid.NewGuid();
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = service };
        await Send(http, jwt, new Caller(Guid.NewGuid(), Role.ClinicAdmin, clinic), "/api/webhooks",
            new { url = $"http://127.0.0.1:{receiverPort}/hook", secret = "benchmark-secret-0123456789", events = new[] { "alert.raised" } });

        var patients = new List<(Caller Patient, Guid Episode)>();
        for (var i = 0; i < count; i++)
        {
            var patient = new Caller(Guid.NewGuid(), Role.Patient, clinic);
            var opened = await Send(http, jwt, patient, "/api/episodes", new { side = "left", suspectedCause = "calf-strain", onsetDate = today, timeZone = "UTC" });
            patients.Add((patient, opened!["id"]!.GetValue<Guid>()));
        }

        var acknowledged = new ConcurrentDictionary<Guid, long>();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var started = Stopwatch.GetTimestamp();
        var sends = new List<Task>();
        for (var i = 0; i < patients.Count; i++)
        {
            var due = started + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var (patient, episode) = patients[i];
            sends.Add(Task.Run(async () =>
            {
                await Send(http, jwt, patient, $"/api/episodes/{episode}/check-ins", new
                {
                    checkInId = Guid.NewGuid(), day = today, painLevel = 6, swelling = "moderate", canWalkComfortably = true, symptoms = new[] { "shortness-of-breath" },
                });
                acknowledged[episode] = Stopwatch.GetTimestamp();
            }));
        }
        await Task.WhenAll(sends);
        for (var wait = 0; wait < 600 && received.Count < count; wait++) await Task.Delay(100);

        var latencies = acknowledged
            .Where(a => received.ContainsKey(a.Key))
            .Select(a => Stopwatch.GetElapsedTime(a.Value, received[a.Key]).TotalMilliseconds)
            .Order()
            .ToList();
        Console.WriteLine($"alerts: {count}, delivered: {received.Count}, rate: {rate}/s");
        if (latencies.Count > 0)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"201 -> webhook arrival ms: p50 {Percentile(latencies, 0.50):0.0}, p95 {Percentile(latencies, 0.95):0.0}, p99 {Percentile(latencies, 0.99):0.0}, max {latencies[^1]:0.0}"));
        }
        return received.Count == count ? 0 : 1;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<JsonNode?> Send(HttpClient http, JwtSettings jwt, Caller caller, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentToken.Mint(jwt, caller, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        return text.Length > 0 ? JsonNode.Parse(text) : null;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
