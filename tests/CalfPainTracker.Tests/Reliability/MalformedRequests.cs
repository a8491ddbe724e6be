using System.Text;
using System.Text.Json.Nodes;

namespace CalfPainTracker.Tests.Reliability;

/// <summary>A request a careless or hostile client might send: each one must be refused and change nothing.</summary>
public sealed record MalformedRequest(string Kind, HttpMethod Method, string Path, byte[]? Body, string? ContentType, bool WithToken = true, string? Token = null);

/// <summary>Generates malformed requests against the check-in and episode routes, reproducibly from a seed.</summary>
public static class MalformedRequests
{
    private static readonly string[] Fields =
        ["checkInId", "day", "painLevel", "painAtRest", "painAtNight", "swelling", "swellingAtAnkle", "calfCircumferenceCm", "restHours",
         "iceMinutes", "heatMinutes", "stretchingMinutes", "nsaidTaken", "canWalkComfortably", "symptoms", "notes"];

    private static readonly JsonNode?[] WrongValues =
        [JsonValue.Create("ten"), JsonValue.Create(-1), JsonValue.Create(11), JsonValue.Create(1e308), JsonValue.Create(2.5), JsonValue.Create(true),
         new JsonArray(1, 2), new JsonObject { ["a"] = 1 }, JsonValue.Create("2999-01-01"), JsonValue.Create("1900-01-01"), JsonValue.Create("not-a-uuid"),
         JsonValue.Create(""), JsonValue.Create(int.MaxValue), JsonValue.Create(-0.0001), JsonValue.Create("' OR 1=1; DROP TABLE mt_events; --"),
         JsonValue.Create("<script>alert(1)</script>"), JsonValue.Create(new string('x', 3000)), new JsonArray("sneezing"), new JsonArray(JsonValue.Create(7))];

    public static IEnumerable<MalformedRequest> Generate(Guid episode, string validDay, int count, int seed)
    {
        var random = new Random(seed);
        var path = $"/api/episodes/{episode}/check-ins";
        for (var i = 0; i < count; i++)
        {
            yield return (random.Next(12)) switch
            {
                0 or 1 or 2 or 3 => Json("wrong value", path, Mutate(Valid(validDay), random)),
                4 => Json("two wrong values", path, Mutate(Mutate(Valid(validDay), random), random)),
                5 => new MalformedRequest("deep json", HttpMethod.Post, path, Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), "application/json"),
                6 => new MalformedRequest("invalid utf-8", HttpMethod.Post, path, [0x7B, 0x22, 0x6E, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], "application/json"),
                7 => new MalformedRequest("huge body", HttpMethod.Post, path, Encoding.UTF8.GetBytes("{\"notes\":\"" + new string('a', 70_000 + random.Next(1000)) + "\"}"), "application/json"),
                8 => new MalformedRequest("wrong content type", HttpMethod.Post, path, Encoding.UTF8.GetBytes(Valid(validDay).ToJsonString()), random.Next(2) == 0 ? "text/plain" : "application/xml"),
                9 => new MalformedRequest("truncated json", HttpMethod.Post, path, Encoding.UTF8.GetBytes(Valid(validDay).ToJsonString()[..random.Next(1, 40)]), "application/json"),
                10 => new MalformedRequest(random.Next(2) == 0 ? "missing token" : "forged token", HttpMethod.Post, path, Encoding.UTF8.GetBytes(Valid(validDay).ToJsonString()), "application/json",
                    WithToken: false, Token: random.Next(2) == 0 ? null : "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
                _ => Json("bad episode", "/api/episodes", new JsonObject { ["side"] = "middle", ["suspectedCause"] = "'; DROP TABLE x", ["onsetDate"] = "31/12/2026", ["timeZone"] = "Mars/Base" }),
            };
        }
    }

    private static MalformedRequest Json(string kind, string path, JsonNode body) =>
        new(kind, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");

    /// <summary>A valid check-in for a day that is then always broken, so a sweep can prove nothing was written.</summary>
    private static JsonObject Valid(string day) => new()
    {
        ["checkInId"] = Guid.NewGuid(), ["day"] = day, ["painLevel"] = 4, ["swelling"] = "mild", ["canWalkComfortably"] = true,
    };

    private static JsonObject Mutate(JsonObject body, Random random)
    {
        var field = Fields[random.Next(Fields.Length)];
        var value = WrongValues[random.Next(WrongValues.Length)]?.DeepClone();
        body[field] = value;
        // The random value may happen to suit the field (11 ice minutes, a plausible note), so the
        // day is always broken too: every request of the sweep must be refused.
        if (field != "day") body["day"] = "2999-12-31";
        return body;
    }
}
