using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Time from a check-in's 201 to its webhook's arrival at a receiver on loopback: each of
/// <c>count</c> patients logs one check-in, at <c>rate</c> check-ins a second; every
/// <c>alertEvery</c>-th is an emergency (shortness of breath) and the rest are low-risk. The
/// service must allow private webhook targets (Notifications__AllowPrivateAddresses=true).
/// </summary>
public static class AlertLatency
{
    public static async Task<int> Run(Uri service, int count, int rate, JwtSettings jwt, string? jsonPath = null, int alertEvery = 1, int openConcurrency = 8)
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
        // Many clients at once, as at a real steady rate, but not an unbounded number of sockets.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
        using var http = new HttpClient(handler) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(120) };
        await Send(http, Token(jwt, new Caller(Guid.NewGuid(), Role.ClinicAdmin, clinic)), "/api/webhooks",
            new { url = $"http://127.0.0.1:{receiverPort}/hook", secret = "benchmark-secret-0123456789", events = new[] { "alert.raised" } });

        var patients = new (string Token, Guid Episode)[count];
        var opening = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = openConcurrency }, async (i, _) =>
        {
            var token = Token(jwt, new Caller(Guid.NewGuid(), Role.Patient, clinic));
            var opened = await Send(http, token, "/api/episodes", new { side = "left", suspectedCause = "calf-strain", onsetDate = today, timeZone = "UTC" });
            patients[i] = (token, opened!["id"]!.GetValue<Guid>());
        });
        Console.Error.WriteLine(FormattableString.Invariant($"alert-latency: opened {count} episodes in {opening.Elapsed.TotalSeconds:0.0} s"));

        var acknowledged = new ConcurrentDictionary<Guid, long>();
        var responseMs = new ConcurrentBag<double>();
        var errors = 0;
        var expected = new HashSet<Guid>();
        var interval = 1.0 / rate;
        var started = Stopwatch.GetTimestamp();
        var sends = new List<Task>(count);
        for (var i = 0; i < patients.Length; i++)
        {
            var due = started + (long)(i * interval * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var (token, episode) = patients[i];
            var emergency = i % alertEvery == 0;
            if (emergency) expected.Add(episode);
            object body = emergency
                ? new { checkInId = Guid.NewGuid(), day = today, painLevel = 6, swelling = "moderate", canWalkComfortably = true, symptoms = new[] { "shortness-of-breath" } }
                : new { checkInId = Guid.NewGuid(), day = today, painLevel = 2, swelling = "none", canWalkComfortably = true, symptoms = Array.Empty<string>() };
            sends.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await Send(http, token, $"/api/episodes/{episode}/check-ins", body);
                    var answered = Stopwatch.GetTimestamp();
                    responseMs.Add(Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds);
                    if (emergency) acknowledged[episode] = answered;
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Console.Error.WriteLine("alert-latency: " + e.Message);
                }
            }));
        }
        var sendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.WhenAll(sends);
        var allAnswered = Stopwatch.GetElapsedTime(started).TotalSeconds;
        for (var wait = 0; wait < 600 && expected.Any(e => acknowledged.ContainsKey(e) && !received.ContainsKey(e)); wait++) await Task.Delay(100);

        var latencies = acknowledged
            .Where(a => received.ContainsKey(a.Key))
            .Select(a => Stopwatch.GetElapsedTime(a.Value, received[a.Key]).TotalMilliseconds)
            .Order()
            .ToList();
        var responses = responseMs.Order().ToList();
        var delivered = expected.Count(received.ContainsKey);
        Console.WriteLine(FormattableString.Invariant($"check-ins: {count} at {rate}/s (sent over {sendSeconds:0.0} s, all answered after {allAnswered:0.0} s), alerts expected: {expected.Count}, delivered: {delivered}, errors: {errors}"));
        if (latencies.Count > 0)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"201 -> webhook arrival ms: p50 {Percentile(latencies, 0.50):0.0}, p95 {Percentile(latencies, 0.95):0.0}, p99 {Percentile(latencies, 0.99):0.0}, max {latencies[^1]:0.0}"));
        }
        if (jsonPath is not null)
        {
            var result = new JsonObject
            {
                ["checkIns"] = count,
                ["targetRate"] = rate,
                ["achievedRate"] = count / Math.Max(allAnswered, 0.001),
                ["sendSeconds"] = sendSeconds,
                ["alertEvery"] = alertEvery,
                ["alertsExpected"] = expected.Count,
                ["alertsDelivered"] = delivered,
                ["errors"] = errors,
                ["webhookMs"] = Summary(latencies),
                ["checkInResponseMs"] = Summary(responses),
            };
            await File.WriteAllTextAsync(jsonPath, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return delivered == expected.Count && errors == 0 ? 0 : 1;
    }

    internal static JsonObject? Summary(List<double> sorted) => sorted.Count == 0 ? null : new JsonObject
    {
        ["count"] = sorted.Count,
        ["p50"] = Percentile(sorted, 0.50),
        ["p95"] = Percentile(sorted, 0.95),
        ["p99"] = Percentile(sorted, 0.99),
        ["max"] = sorted[^1],
    };

    internal static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    internal static string Token(JwtSettings jwt, Caller caller) => DevelopmentToken.Mint(jwt, caller, TimeSpan.FromHours(24), DateTimeOffset.UtcNow);

    internal static async Task<JsonNode?> Send(HttpClient http, string token, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
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
