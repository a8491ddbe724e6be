using System.Net.Http.Headers;
using Alba;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// A clinic of its own for each test: data is isolated by tenant, so tests share one host
/// and one schema without resetting anything.
/// </summary>
public sealed class TestClinic(IAlbaHost host)
{
    public TestClinic(ApiHost api) : this(api.Host)
    {
    }

    public Guid Id { get; init; } = Guid.NewGuid();

    public TestUser Patient() => User(Role.Patient);

    public TestUser Physio() => User(Role.Physio);

    public TestUser Admin() => User(Role.ClinicAdmin);

    public TestUser User(Role role, Guid? id = null) => new(host, new Caller(id ?? Guid.NewGuid(), role, Id));
}

public sealed class TestUser(IAlbaHost host, Caller caller)
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>The zone of the episodes <see cref="OpenEpisode"/> opens.</summary>
    public const string Zone = "Europe/London";

    public Caller Caller { get; } = caller;
    public Guid Id => Caller.UserId;

    public string Token(TimeSpan? lifetime = null) =>
        // Tokens live in real time: only the clinical clock (check-in days) is faked.
        DevelopmentToken.Mint(ApiHost.Jwt, Caller, lifetime ?? TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    public HttpClient Client()
    {
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        return client;
    }

    public Task<HttpResponseMessage> Post(string url, object body) => Client().PostAsJsonAsync(url, body, Json);

    public Task<HttpResponseMessage> Put(string url, object body) => Client().PutAsJsonAsync(url, body, Json);

    public Task<HttpResponseMessage> Get(string url) => Client().GetAsync(url);

    public async Task<JsonNode> GetJson(string url)
    {
        var response = await Get(url);
        return await response.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    /// <summary>Opens an episode for this patient (or, for a clinician, for <paramref name="patient"/>).</summary>
    public async Task<Guid> OpenEpisode(
        string onsetDate = "2026-10-26",
        string cause = "calf-strain",
        TestUser? patient = null,
        object? riskFactors = null,
        string timeZone = Zone)
    {
        var response = await Post("/api/episodes", new
        {
            patientId = patient?.Id,
            side = "left",
            suspectedCause = cause,
            onsetDate,
            timeZone,
            riskFactors,
        });
        var body = await response.ShouldBe(System.Net.HttpStatusCode.Created);
        return body["id"]!.GetValue<Guid>();
    }

    public Task<HttpResponseMessage> LogCheckIn(Guid episodeId, object checkIn) => Post($"/api/episodes/{episodeId}/check-ins", checkIn);

    /// <summary>A valid, uneventful check-in for a day, with fields overridden by <paramref name="with"/>.</summary>
    public static JsonObject CheckIn(string day, int pain = 3, object? with = null)
    {
        var body = new JsonObject
        {
            ["checkInId"] = Guid.NewGuid(),
            ["day"] = day,
            ["painLevel"] = pain,
            ["painAtRest"] = false,
            ["painAtNight"] = false,
            ["swelling"] = "none",
            ["swellingAtAnkle"] = false,
            ["restHours"] = 2,
            ["iceMinutes"] = 20,
            ["heatMinutes"] = 0,
            ["stretchingMinutes"] = 10,
            ["nsaidTaken"] = false,
            ["canWalkComfortably"] = true,
            ["symptoms"] = new JsonArray(),
            ["notes"] = null,
        };
        if (with is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(with, Json)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }
        return body;
    }
}

public static class ResponseAssertions
{
    public static async Task<JsonNode> ShouldBe(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> ShouldBeProblem(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.ShouldBe(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(body["title"]?.GetValue<string>()), "A problem must say what is wrong.");
        return body;
    }
}
