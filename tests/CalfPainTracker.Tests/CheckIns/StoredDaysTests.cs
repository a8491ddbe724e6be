using System.Text;
using System.Text.Json;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Alerts;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.CheckIns;

/// <summary>The per-day lists of the documents every check-in rewrites, as the service's own store serializes them.</summary>
[Collection(nameof(ApiCollection))]
public sealed class StoredDaysTests(ApiHost api)
{
    private ISerializer Serializer => api.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();

    [Fact]
    public void A_300_day_recovery_is_stored_in_a_fraction_of_the_room_and_read_back_day_for_day()
    {
        var (episode, triage) = Recovery(days: 300);

        var storedEpisode = Serializer.ToJson(episode);
        var storedTriage = Serializer.ToJson(triage);
        var episodeBack = Read<Episode>(storedEpisode);
        var triageBack = Read<PatientTriage>(storedTriage);

        Assert.Equal(episode.Days, episodeBack.Days);
        Assert.Equal(triage.Days, triageBack.Days);
        Assert.Equal(triage.Source.AdherencePercent, triageBack.Source.AdherencePercent);
        Assert.True(DaysJson(storedEpisode).Length * 5 < ObjectFormJson(episode.Days).Length * 3, $"episode days: {DaysJson(storedEpisode).Length} bytes");
        Assert.True(DaysJson(storedTriage).Length * 3 < ObjectFormJson(triage.Days).Length, $"triage days: {DaysJson(storedTriage).Length} bytes");
        Assert.StartsWith("[[\"2026-10-01\",", DaysJson(storedTriage), StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_stored_before_with_every_field_named_are_still_read()
    {
        var (episode, triage) = Recovery(days: 5);
        var storedBefore = Serializer.ToJson(triage).Replace(DaysJson(Serializer.ToJson(triage)), ObjectFormJson(triage.Days), StringComparison.Ordinal);
        var episodeBefore = Serializer.ToJson(episode).Replace(DaysJson(Serializer.ToJson(episode)), ObjectFormJson(episode.Days), StringComparison.Ordinal);

        Assert.Contains("\"painLevel\":", storedBefore, StringComparison.Ordinal);
        Assert.Equal(triage.Days, Read<PatientTriage>(storedBefore).Days);
        Assert.Equal(episode.Days, Read<Episode>(episodeBefore).Days);
    }

    private static (Episode, PatientTriage) Recovery(int days)
    {
        var episode = PatientStories.Episode();
        var triage = new PatientTriage();
        triage.Follow(new TreatmentPlan(1.5m, 20, 0, 10));
        var checkIns = Enumerable.Range(0, days)
            .Select(d => PatientStories.Day(d, pain: 7 - d % 8) with { RestHours = 1.25m * (d % 3), IceMinutes = d % 30 })
            .ToArray();
        episode.Log(checkIns);
        foreach (var checkIn in checkIns) triage.Record(checkIn);
        return (episode, triage);
    }

    private T Read<T>(string json) => Serializer.FromJson<T>(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    /// <summary>The stored document's "days" array, as written.</summary>
    private static string DaysJson(string document) => JsonDocument.Parse(document).RootElement.GetProperty("days").GetRawText();

    /// <summary>The days as they were stored before, every field named.</summary>
    private static string ObjectFormJson<T>(IEnumerable<T> days) => JsonSerializer.Serialize(days, ObjectForm);

    private static readonly JsonSerializerOptions ObjectForm = new(JsonSerializerDefaults.Web);
}
