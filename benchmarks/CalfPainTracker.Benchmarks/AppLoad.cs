using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;
using Microsoft.Playwright;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Issue 19's figures: the patient's app opened in Debian's Chromium on a 360x740 phone screen
/// over a throttled connection with a slowed CPU. Cold: a new browser context (no cache, no
/// service worker) opening an invitation link, which is a patient's real first load (it also
/// redeems the code). Warm: /app opened again in that context, its service worker installed.
/// </summary>
public static class AppLoad
{
    // The files the page and its service worker fetch (sw.js SHELL, and the worker itself).
    private static readonly string[] AppFiles =
        ["/app", "/app/app.js", "/app/app.css", "/app/messages/en.json", "/app/sw.js", "/app/manifest.webmanifest", "/app/icon.svg", "/app/icon-192.png", "/app/icon-512.png"];

    // Set before any of the page's scripts run: the moment the app marks itself usable.
    private const string ReadyProbe = """
        new MutationObserver((_, observer) => {
          if (document.body && document.body.dataset.ready === "true") { window.__calfReadyAt = performance.now(); observer.disconnect(); }
        }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
        """;

    private const string Timings = """
        () => {
          const nav = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          return { fcp: fcp ? fcp.startTime : null, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                   ready: window.__calfReadyAt ?? null, documentResponseEnd: nav.responseEnd,
                   controlledByServiceWorker: !!navigator.serviceWorker.controller };
        }
        """;

    public sealed record Throttle(int RttMs, int DownKbps, int UpKbps, double CpuSlowdown);

    public static async Task<int> Run(Uri service, int runs, Throttle throttle, JwtSettings jwt, string? jsonPath)
    {
        var url = service.ToString().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(60) };
        var weight = await Weight(http);

        var physio = new Caller(Guid.NewGuid(), Role.Physio, Guid.NewGuid());
        var physioToken = AlertLatency.Token(jwt, physio);
        var episode = (await AlertLatency.Send(http, physioToken, "/api/episodes", new
        {
            patientId = Guid.NewGuid(), side = "left", suspectedCause = "calf-strain",
            onsetDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), timeZone = "UTC",
        }))!["id"]!.GetValue<Guid>();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        var cold = new List<JsonObject>();
        var warm = new List<JsonObject>();
        // Run 0 is a warm-up (the service's first redemption and first static file reads), not counted.
        for (var run = 0; run <= runs; run++)
        {
            var code = (await AlertLatency.Send(http, physioToken, $"/api/episodes/{episode}/invitations", new { }))!["code"]!.GetValue<string>();
            await using var context = await browser.NewContextAsync(new()
            {
                ViewportSize = new() { Width = 360, Height = 740 },
                IsMobile = true,
                HasTouch = true,
                ServiceWorkers = ServiceWorkerPolicy.Allow,
            });
            await context.AddInitScriptAsync(ReadyProbe);

            var first = await Load(context, $"{url}/app#invite={code}", throttle);
            // The worker installs after the first load and caches the app's files; wait for it to control /app.
            var page = context.Pages[0];
            await page.EvaluateAsync("() => navigator.serviceWorker.ready");
            await page.CloseAsync();
            await using var worker = await Worker.Throttled(browser, throttle);
            var second = await Load(context, $"{url}/app", throttle, worker);
            await context.Pages[0].CloseAsync();
            if (run == 0) continue;
            cold.Add(first);
            warm.Add(second);
            Console.Error.WriteLine($"app-load run {run}: cold {first.ToJsonString()}");
            Console.Error.WriteLine($"app-load run {run}: warm {second.ToJsonString()}");
        }

        var results = new JsonObject
        {
            ["runs"] = runs,
            ["viewport"] = "360x740, mobile, touch",
            ["throttle"] = JsonSerializer.SerializeToNode(throttle),
            ["chromium"] = browser.Version,
            ["cold"] = Medians(cold),
            ["warm"] = Medians(warm),
            ["coldRuns"] = new JsonArray([.. cold]),
            ["warmRuns"] = new JsonArray([.. warm]),
            ["files"] = weight,
        };
        foreach (var kind in new[] { "cold", "warm" })
        {
            var m = (JsonObject)results[kind]!;
            Console.WriteLine(FormattableString.Invariant(
                $"app-load {kind} (median of {runs}): FCP {M(m, "fcp")} ms, DOMContentLoaded {M(m, "domContentLoaded")} ms, load {M(m, "load")} ms, interactive {M(m, "ready")} ms, bytes over the wire {M(m, "bytes")} (app files {M(m, "appBytes")}, API {M(m, "apiBytes")})"));
        }
        var total = (JsonObject)weight["total"]!;
        Console.WriteLine($"app files: {total["bytes"]} bytes as served, {total["gzip9"]} gzip -9, {total["brotli11"]} brotli 11");
        if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, results.ToJsonString(SignIn.Indented));
        return 0;
    }

    private static string M(JsonObject medians, string name) => medians[name] is { } value ? ((double)value).ToString("0", CultureInfo.InvariantCulture) : "-";

    /// <summary>Opens <paramref name="address"/> in a new page of <paramref name="context"/>, throttled, and waits until the app is usable.</summary>
    private static async Task<JsonObject> Load(IBrowserContext context, string address, Throttle throttle, Worker? worker = null)
    {
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        var responses = new Dictionary<string, (string Url, bool FromServiceWorker)>();
        long appBytes = 0, apiBytes = 0, otherBytes = 0;
        var requests = 0;
        cdp.Event("Network.responseReceived").OnEvent += (_, e) =>
        {
            var r = e!.Value.GetProperty("response");
            lock (responses) responses[e.Value.GetProperty("requestId").GetString()!] = (r.GetProperty("url").GetString()!, r.TryGetProperty("fromServiceWorker", out var sw) && sw.GetBoolean());
        };
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            var id = e!.Value.GetProperty("requestId").GetString()!;
            var bytes = (long)e.Value.GetProperty("encodedDataLength").GetDouble();
            lock (responses)
            {
                if (!responses.TryGetValue(id, out var response)) return;
                requests++;
                // A response the worker gave is counted where the worker fetched it, not twice.
                if (response.FromServiceWorker) return;
                var path = new Uri(response.Url).AbsolutePath;
                if (path.StartsWith("/api/", StringComparison.Ordinal)) apiBytes += bytes;
                else if (path == "/app" || path.StartsWith("/app/", StringComparison.Ordinal)) appBytes += bytes;
                else otherBytes += bytes;
            }
        };
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new()
        {
            ["offline"] = false,
            ["latency"] = throttle.RttMs,
            ["downloadThroughput"] = throttle.DownKbps * 1000 / 8,
            ["uploadThroughput"] = throttle.UpKbps * 1000 / 8,
        });
        await cdp.SendAsync("Emulation.setCPUThrottlingRate", new() { ["rate"] = throttle.CpuSlowdown });

        await page.GotoAsync(address, new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        await page.WaitForSelectorAsync("body[data-ready='true']", new() { Timeout = 120_000 });
        var timings = await page.EvaluateAsync<JsonElement>(Timings);
        var result = JsonNode.Parse(timings.GetRawText())!.AsObject();
        result.Remove("$id");
        lock (responses)
        {
            // What the worker fetched for the page (network first, sw.js) went over the wire too.
            if (worker is not null) appBytes += worker.TakeBytes();
            result["appBytes"] = appBytes;
            result["apiBytes"] = apiBytes;
            result["otherBytes"] = otherBytes;
            result["bytes"] = appBytes + apiBytes + otherBytes;
            result["responses"] = requests;
        }
        await cdp.SendAsync("Emulation.setCPUThrottlingRate", new() { ["rate"] = 1 });
        await cdp.DetachAsync();
        return result;
    }

    /// <summary>
    /// The page's throttling does not reach its service worker, a target of its own whose
    /// network-first fetches would otherwise run at full speed: the worker is attached through a
    /// browser-level CDP session and throttled alike, and the bytes it receives are counted.
    /// </summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly ICDPSession _browser;
        private readonly string _session;
        private readonly Dictionary<int, TaskCompletionSource<JsonElement>> _pending = [];
        private long _bytes;
        private int _next;

        private Worker(ICDPSession browser, string session)
        {
            _browser = browser;
            _session = session;
            _browser.Event("Target.receivedMessageFromTarget").OnEvent += (_, e) =>
            {
                if (e!.Value.GetProperty("sessionId").GetString() != _session) return;
                using var message = JsonDocument.Parse(e.Value.GetProperty("message").GetString()!);
                var root = message.RootElement;
                if (root.TryGetProperty("id", out var id))
                {
                    lock (_pending) if (_pending.Remove(id.GetInt32(), out var waiting)) waiting.TrySetResult(root.Clone());
                }
                else if (root.GetProperty("method").GetString() == "Network.loadingFinished")
                {
                    Interlocked.Add(ref _bytes, (long)root.GetProperty("params").GetProperty("encodedDataLength").GetDouble());
                }
            };
        }

        public static async Task<Worker> Throttled(IBrowser browser, Throttle throttle)
        {
            var cdp = await browser.NewBrowserCDPSessionAsync();
            var targets = (await cdp.SendAsync("Target.getTargets"))!.Value.GetProperty("targetInfos").EnumerateArray();
            var target = targets.First(t => t.GetProperty("type").GetString() == "service_worker").GetProperty("targetId").GetString()!;
            var attached = await cdp.SendAsync("Target.attachToTarget", new() { ["targetId"] = target, ["flatten"] = false });
            var worker = new Worker(cdp, attached!.Value.GetProperty("sessionId").GetString()!);
            await worker.Send("Network.enable", new());
            await worker.Send("Network.emulateNetworkConditions", new()
            {
                ["offline"] = false,
                ["latency"] = throttle.RttMs,
                ["downloadThroughput"] = throttle.DownKbps * 1000 / 8,
                ["uploadThroughput"] = throttle.UpKbps * 1000 / 8,
            });
            worker.TakeBytes();
            return worker;
        }

        public long TakeBytes() => Interlocked.Exchange(ref _bytes, 0);

        private async Task Send(string method, Dictionary<string, object> parameters)
        {
            var id = Interlocked.Increment(ref _next);
            var answered = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pending) _pending[id] = answered;
            await _browser.SendAsync("Target.sendMessageToTarget", new()
            {
                ["sessionId"] = _session,
                ["message"] = JsonSerializer.Serialize(new { id, method, @params = parameters }),
            });
            var answer = await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (answer.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method} on the service worker: {error}");
        }

        public async ValueTask DisposeAsync() => await _browser.DetachAsync();
    }

    private static JsonObject Medians(List<JsonObject> runs)
    {
        var medians = new JsonObject();
        foreach (var name in new[] { "fcp", "domContentLoaded", "load", "ready", "documentResponseEnd", "bytes", "appBytes", "apiBytes", "otherBytes", "responses" })
        {
            var values = runs.Select(r => r[name]).OfType<JsonValue>().Select(v => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)).Order().ToList();
            medians[name] = values.Count == 0 ? null : values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        }
        return medians;
    }

    /// <summary>The app's files as served, and what gzip and brotli at their highest levels would make of them.</summary>
    private static async Task<JsonObject> Weight(HttpClient http)
    {
        var files = new JsonObject();
        long raw = 0, gzip = 0, brotli = 0;
        foreach (var path in AppFiles)
        {
            // Asked as a browser asks, to see whether the service compresses; then plainly, for the bytes themselves.
            using var asked = new HttpRequestMessage(HttpMethod.Get, path);
            asked.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
            using var served = await http.SendAsync(asked);
            served.EnsureSuccessStatusCode();
            var onTheWire = (await served.Content.ReadAsByteArrayAsync()).Length;
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            var g = Compressed(body, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            var b = Compressed(body, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            files[path] = new JsonObject
            {
                ["bytes"] = body.Length, ["gzip9"] = g, ["brotli11"] = b,
                ["servedBytes"] = onTheWire, ["contentEncoding"] = string.Join(",", served.Content.Headers.ContentEncoding),
            };
            raw += body.Length;
            gzip += g;
            brotli += b;
        }
        files["total"] = new JsonObject { ["bytes"] = raw, ["gzip9"] = gzip, ["brotli11"] = brotli };
        return files;
    }

    private static long Compressed(byte[] body, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(body);
        return output.Length;
    }
}
