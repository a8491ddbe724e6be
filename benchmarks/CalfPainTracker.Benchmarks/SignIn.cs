using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Issue 18's figures: what checking a bearer token costs (in process, no service), and what
/// redeeming an invitation, refreshing a device session and an authenticated read cost against
/// the running service. Everything sequential: these are latencies, not throughput.
/// </summary>
public static class SignIn
{
    /// <summary>
    /// JsonWebTokenHandler.ValidateTokenAsync (what JwtBearer calls since .NET 8) with the
    /// TokenValidationParameters of SecurityConfiguration's two schemes, each token validated
    /// <paramref name="iterations"/> times after a warm-up.
    /// </summary>
    public static async Task<int> TokenValidation(JwtSettings jwt, int iterations, string? jsonPath)
    {
        var handler = new JsonWebTokenHandler();
        var now = DateTimeOffset.UtcNow;
        var patient = new Caller(Guid.NewGuid(), Role.Patient, Guid.NewGuid());

        var sharedKeyToken = DevelopmentToken.Mint(jwt, patient, TimeSpan.FromHours(1), now);
        var sharedKey = Parameters(jwt.Issuer, jwt.Audience, SecurityAlgorithms.HmacSha256);
        sharedKey.IssuerSigningKey = jwt.Key();

        // A P-256 key and a token shaped as ServiceSigningKeys and DeviceTokens.Issue make them.
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var q = ec.ExportParameters(includePrivateParameters: false).Q;
        const string deviceIssuer = "https://calfpain.example.org";
        var deviceToken = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = deviceIssuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(10).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(Caller.SubjectClaim, patient.UserId.ToString()),
                new Claim(Caller.RoleClaim, WireNames.Of(Role.Patient)),
                new Claim(Caller.ClinicClaim, patient.ClinicId.ToString()),
                new Claim(JwtRegisteredClaimNames.Sid, Guid.NewGuid().ToString()),
            ]),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256),
        });
        // ServiceSigningKeys.ForValidation builds the public key from its coordinates on every
        // call; measured as the service does it, and with the key object kept, to see what that costs.
        var device = Parameters(deviceIssuer, jwt.Audience, SecurityAlgorithms.EcdsaSha256);
        device.IssuerSigningKeyResolver = (_, _, k, _) => k == kid ? [PublicKey(q, kid)] : [];
        var kept = PublicKey(q, kid);
        var deviceKeptKey = Parameters(deviceIssuer, jwt.Audience, SecurityAlgorithms.EcdsaSha256);
        deviceKeptKey.IssuerSigningKeyResolver = (_, _, k, _) => k == kid ? [kept] : [];

        var warmup = Math.Max(iterations / 5, 200);
        var results = new JsonObject
        {
            ["iterations"] = iterations,
            ["warmup"] = warmup,
            ["sharedKeyHs256"] = await Validate(handler, sharedKeyToken, sharedKey, warmup, iterations),
            ["deviceEs256"] = await Validate(handler, deviceToken, device, warmup, iterations),
            ["deviceEs256KeyKept"] = await Validate(handler, deviceToken, deviceKeptKey, warmup, iterations),
            ["tokenBytes"] = new JsonObject { ["sharedKeyHs256"] = sharedKeyToken.Length, ["deviceEs256"] = deviceToken.Length },
        };
        foreach (var (name, value) in results)
        {
            if (value is JsonObject { } figures && figures.ContainsKey("meanUs"))
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"token-validation {name}: mean {(double)figures["meanUs"]!:0.0} us, p50 {(double)figures["p50Us"]!:0.0} us, p99 {(double)figures["p99Us"]!:0.0} us"));
            }
        }
        if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, results.ToJsonString(Indented));
        return 0;
    }

    private static TokenValidationParameters Parameters(string issuer, string audience, string algorithm) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        ValidAlgorithms = [algorithm],
        NameClaimType = Caller.SubjectClaim,
        RoleClaimType = Caller.RoleClaim,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private static ECDsaSecurityKey PublicKey(ECPoint q, string kid) =>
        new(ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = q })) { KeyId = kid };

    private static async Task<JsonObject> Validate(JsonWebTokenHandler handler, string token, TokenValidationParameters parameters, int warmup, int iterations)
    {
        for (var i = 0; i < warmup; i++) await Check(handler, token, parameters);
        var times = new List<double>(iterations);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Check(handler, token, parameters);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        total.Stop();
        times.Sort();
        return new JsonObject
        {
            ["meanUs"] = total.Elapsed.TotalMicroseconds / iterations,
            ["p50Us"] = AlertLatency.Percentile(times, 0.50),
            ["p99Us"] = AlertLatency.Percentile(times, 0.99),
            ["maxUs"] = times[^1],
        };
    }

    private static async Task Check(JsonWebTokenHandler handler, string token, TokenValidationParameters parameters)
    {
        var result = await handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) throw new InvalidOperationException($"the benchmark's own token did not validate: {result.Exception?.Message}");
    }

    /// <summary>
    /// Against the running service: <paramref name="count"/> invitations redeemed and as many
    /// refreshes (after <paramref name="warmup"/> of each, not counted), then <paramref name="reads"/>
    /// rounds of GET /api/episodes/{id} with a shared-key and a device token and GET /health/live
    /// (no token) in turn, on one connection. The service must allow that many sign-in attempts
    /// a minute from one address (Auth__SessionAttemptsPerMinutePerAddress).
    /// </summary>
    public static async Task<int> Sessions(Uri service, int count, int warmup, int reads, int episodes, JwtSettings jwt, string? jsonPath)
    {
        // One connection: every figure is one request's latency, none waits behind another.
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(60) };
        var physio = new Caller(Guid.NewGuid(), Role.Physio, Guid.NewGuid());
        var physioToken = AlertLatency.Token(jwt, physio);
        var opened = new List<(Guid Episode, Guid Patient)>();
        for (var i = 0; i < episodes; i++)
        {
            var patient = Guid.NewGuid();
            var answer = await AlertLatency.Send(http, physioToken, "/api/episodes", new
            {
                patientId = patient, side = "left", suspectedCause = "calf-strain",
                onsetDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), timeZone = "UTC",
            });
            opened.Add((answer!["id"]!.GetValue<Guid>(), patient));
        }

        var invite = new List<double>();
        var codes = new List<(string Code, int Episode)>();
        for (var i = 0; i < warmup + count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await AlertLatency.Send(http, physioToken, $"/api/episodes/{opened[i % episodes].Episode}/invitations", new { });
            if (i >= warmup) invite.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            codes.Add((answer!["code"]!.GetValue<string>(), i % episodes));
        }

        var redeem = new List<double>();
        var devices = new List<(string Refresh, string Access, int Episode)>();
        foreach (var (code, episode) in codes)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await Post(http, "/api/sessions", new { invitationCode = code, deviceName = "bench" }, 201);
            if (devices.Count >= warmup) redeem.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            devices.Add((answer["refreshToken"]!.GetValue<string>(), answer["accessToken"]!.GetValue<string>(), episode));
        }

        var refresh = new List<double>();
        for (var i = 0; i < warmup + count; i++)
        {
            var d = i % devices.Count;
            var started = Stopwatch.GetTimestamp();
            var answer = await Post(http, "/api/sessions/refresh", new { refreshToken = devices[d].Refresh }, 200);
            if (i >= warmup) refresh.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            devices[d] = (answer["refreshToken"]!.GetValue<string>(), answer["accessToken"]!.GetValue<string>(), devices[d].Episode);
        }

        // The same patient and episode with either token, so the two reads differ only in the token.
        var (episodeId, patientId) = opened[devices[0].Episode];
        var sharedKeyToken = AlertLatency.Token(jwt, new Caller(patientId, Role.Patient, physio.ClinicId));
        var kinds = new (string Name, string Path, string? Token)[]
        {
            ("healthNoToken", "/health/live", null),
            ("episodeSharedKeyHs256", $"/api/episodes/{episodeId}", sharedKeyToken),
            ("episodeDeviceEs256", $"/api/episodes/{episodeId}", devices[0].Access),
        };
        var readTimes = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        for (var i = 0; i < warmup + reads; i++)
        {
            foreach (var (name, path, token) in kinds)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
                if (i >= warmup) readTimes[name].Add(ms);
            }
        }

        var results = new JsonObject
        {
            ["count"] = count,
            ["warmup"] = warmup,
            ["episodes"] = episodes,
            ["inviteMs"] = Summary(invite),
            ["redeemMs"] = Summary(redeem),
            ["refreshMs"] = Summary(refresh),
            ["readsMs"] = new JsonObject(readTimes.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)Summary(r.Value)))),
        };
        foreach (var (name, value) in results)
        {
            if (value is JsonObject { } figures && figures.ContainsKey("p50")) Print(name, figures);
        }
        foreach (var (name, value) in (JsonObject)results["readsMs"]!) Print("GET " + name, (JsonObject)value!);
        if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, results.ToJsonString(Indented));
        return 0;
    }

    private static void Print(string name, JsonObject figures) => Console.WriteLine(FormattableString.Invariant(
        $"sessions {name}: mean {(double)figures["mean"]!:0.00} ms, p50 {(double)figures["p50"]!:0.00}, p95 {(double)figures["p95"]!:0.00}, p99 {(double)figures["p99"]!:0.00}, max {(double)figures["max"]!:0.00} (n={(int)figures["count"]!})"));

    private static JsonObject Summary(List<double> times)
    {
        var mean = times.Average();
        times.Sort();
        var summary = AlertLatency.Summary(times)!;
        summary["mean"] = mean;
        return summary;
    }

    private static async Task<JsonNode> Post(HttpClient http, string path, object body, int expected)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != expected) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
