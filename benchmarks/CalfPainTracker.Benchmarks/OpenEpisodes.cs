using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Opens <c>count</c> episodes over HTTP, each by a patient of its own (spread over a few
/// clinics), with an onset <c>onsetDaysAgo</c> days back so that the load generator can log a
/// new day on each one for months; writes [{episodeId, token, onset}] for it.
/// </summary>
public static class OpenEpisodes
{
    public static async Task<int> Run(Uri service, int count, string output, JwtSettings jwt, int onsetDaysAgo, int clinics, int concurrency)
    {
        var onset = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-onsetDaysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var clinicIds = Enumerable.Range(0, clinics).Select(_ => Guid.NewGuid()).ToArray();
        var opened = new JsonObject?[count];
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(60) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var token = AlertLatency.Token(jwt, new Caller(Guid.NewGuid(), Role.Patient, clinicIds[i % clinics]));
            var answer = await AlertLatency.Send(http, token, "/api/episodes", new { side = i % 2 == 0 ? "left" : "right", suspectedCause = "calf-strain", onsetDate = onset, timeZone = "UTC" });
            opened[i] = new JsonObject { ["episodeId"] = answer!["id"]!.GetValue<Guid>(), ["token"] = token, ["onset"] = onset };
        });
        await File.WriteAllTextAsync(output, new JsonArray(opened.Select(o => (JsonNode?)o).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        Console.Error.WriteLine(FormattableString.Invariant($"open-episodes: {count} episodes in {clock.Elapsed.TotalSeconds:0.0} s ({count / clock.Elapsed.TotalSeconds:0}/s), onset {onset}"));
        return 0;
    }
}
