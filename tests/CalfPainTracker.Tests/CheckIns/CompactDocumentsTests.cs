using System.Text;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Alerts;
using CalfPainTracker.Tests.Infrastructure;
using CalfPainTracker.Trends;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.CheckIns;

/// <summary>The per-day lists of the documents every check-in rewrites, as the service's own store serializes them.</summary>
[Collection(nameof(ApiCollection))]
public sealed class CompactDocumentsTests(ApiHost api)
{
    private ISerializer Serializer => api.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();

    [Fact]
    public void A_300_day_recovery_is_stored_in_a_fraction_of_the_room_and_read_back_day_for_day_and_receipt_for_receipt()
    {
        var (episode, triage, trend, checkIns) = Recovery(days: 300);

        var storedEpisode = Serializer.ToJson(episode);
        var storedTriage = Serializer.ToJson(triage);
        var storedTrend = Serializer.ToJson(trend);
        var episodeBack = Read<Episode>(storedEpisode);
        var triageBack = Read<PatientTriage>(storedTriage);

        Assert.Equal(episode.Days, episodeBack.Days);
        Assert.Equal(Receipts(episode), Receipts(episodeBack));
        Assert.Equal(episode.Alerts.Select(a => a.Evidence), episodeBack.Alerts.Select(a => a.Evidence));
        Assert.Contains(episode.Receipts.Values, r => r.AlertIds.Count > 0);
        Assert.True(Json(storedEpisode, "receipts").Length * 4 < ObjectFormJson(episode.Receipts).Length * 3, $"receipts: {Json(storedEpisode, "receipts").Length} bytes against {ObjectFormJson(episode.Receipts).Length}");
        Assert.Equal(triage.Days, triageBack.Days);
        Assert.Equal(trend.Days, Read<EpisodeTrend>(storedTrend).Days);
        Assert.Equal(trend.Compute().Weeks, Read<EpisodeTrend>(storedTrend).Compute().Weeks);
        Assert.True(DaysJson(storedTrend).Length * 10 < Serializer.ToJson(checkIns).Length, $"trend days: {DaysJson(storedTrend).Length} bytes");
        Assert.DoesNotContain(Note, storedTrend, StringComparison.Ordinal);
        Assert.Equal(triage.Source.AdherencePercent, triageBack.Source.AdherencePercent);
        Assert.True(DaysJson(storedEpisode).Length * 5 < ObjectFormJson(episode.Days).Length * 3, $"episode days: {DaysJson(storedEpisode).Length} bytes");
        Assert.True(DaysJson(storedTriage).Length * 3 < ObjectFormJson(triage.Days).Length, $"triage days: {DaysJson(storedTriage).Length} bytes");
        Assert.StartsWith("[[\"2026-10-01\",", DaysJson(storedTriage), StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_stored_before_with_every_field_named_are_still_read()
    {
        var (episode, triage, trend, checkIns) = Recovery(days: 5);
        var storedBefore = Serializer.ToJson(triage).Replace(DaysJson(Serializer.ToJson(triage)), ObjectFormJson(triage.Days), StringComparison.Ordinal);
        var episodeBefore = Serializer.ToJson(episode).Replace(DaysJson(Serializer.ToJson(episode)), ObjectFormJson(episode.Days), StringComparison.Ordinal);

        Assert.Contains("\"painLevel\":", storedBefore, StringComparison.Ordinal);
        Assert.Equal(triage.Days, Read<PatientTriage>(storedBefore).Days);
        Assert.Equal(episode.Days, Read<Episode>(episodeBefore).Days);
        var receiptsBefore = Serializer.ToJson(episode).Replace(Json(Serializer.ToJson(episode), "receipts"), ObjectFormJson(episode.Receipts), StringComparison.Ordinal);
        Assert.Contains("\"alertIds\":", receiptsBefore, StringComparison.Ordinal);
        Assert.Equal(Receipts(episode), Receipts(Read<Episode>(receiptsBefore)));
        // Receipts from before they were numbered (17b6abf) read as the oldest.
        var unnumbered = System.Text.RegularExpressions.Regex.Replace(receiptsBefore, ",\"number\":[0-9]+", "");
        Assert.DoesNotContain("\"number\":", unnumbered, StringComparison.Ordinal);
        Assert.All(Read<Episode>(unnumbered).Receipts.Values, r => Assert.Equal(0, r.Number));
        Assert.Equal(episode.Receipts.Keys.Order(), Read<Episode>(unnumbered).Receipts.Keys.Order());
        // The trend kept each day's check-in in full, as the store writes a check-in.
        var trendBefore = Serializer.ToJson(trend).Replace(DaysJson(Serializer.ToJson(trend)), Serializer.ToJson(checkIns), StringComparison.Ordinal);
        Assert.Contains(Note, trendBefore, StringComparison.Ordinal);
        Assert.Equal(trend.Days, Read<EpisodeTrend>(trendBefore).Days);
    }

    [Fact]
    public void An_alert_seen_day_after_day_keeps_its_days_as_runs_and_in_the_order_they_were_seen()
    {
        var first = new DateOnly(2026, 1, 5);
        var seen = Enumerable.Range(0, 300).Select(first.AddDays).Append(first.AddDays(-3)).Append(first.AddDays(302)).Append(first.AddDays(303)).ToList();
        var alert = new Alert { Id = Guid.NewGuid(), Evidence = seen };

        var stored = Serializer.ToJson(alert);

        Assert.Equal("[\"2026-01-05/2026-10-31\",\"2026-01-02\",\"2026-11-03/2026-11-04\"]", Json(stored, "evidence"));
        Assert.Equal(seen, Read<Alert>(stored).Evidence);
        var storedADayAtATime = stored.Replace(Json(stored, "evidence"), JsonSerializer.Serialize(seen), StringComparison.Ordinal);
        Assert.Equal(seen, Read<Alert>(storedADayAtATime).Evidence);
    }

    private const string Note = "Walked to the shop and back";

    private static (Episode, PatientTriage, EpisodeTrend, CheckIn[]) Recovery(int days)
    {
        var episode = PatientStories.Episode();
        var triage = new PatientTriage();
        var trend = new EpisodeTrend { Id = episode.Id };
        triage.Follow(new TreatmentPlan(1.5m, 20, 0, 10));
        var checkIns = Enumerable.Range(0, days)
            .Select(d => PatientStories.Day(d, pain: 7 - d % 8) with
            {
                RestHours = 1.25m * (d % 3),
                IceMinutes = d % 30,
                Swelling = (Swelling)(d % 4),
                SwellingAtAnkle = d % 5 == 0,
                NsaidTaken = d % 2 == 0,
                Notes = Note,
            })
            .ToArray();
        episode.Log(checkIns);
        foreach (var checkIn in checkIns)
        {
            triage.Record(checkIn);
            EpisodeTrendProjection.Apply(new CheckInLogged(episode.Id, checkIn), trend);
        }
        return (episode, triage, trend, checkIns);
    }

    private T Read<T>(string json) => Serializer.FromJson<T>(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    /// <summary>The stored document's "days" array, as written.</summary>
    private static string DaysJson(string document) => Json(document, "days");

    private static string Json(string document, string property) => JsonDocument.Parse(document).RootElement.GetProperty(property).GetRawText();

    /// <summary>The receipts, field by field (a record compares its list of alerts by reference).</summary>
    private static List<string> Receipts(Episode episode) =>
        [.. episode.Receipts.Select(r => $"{r.Key} {r.Value.Day} {r.Value.Correction} {r.Value.Number} {string.Join(',', r.Value.AlertIds)}").Order(StringComparer.Ordinal)];

    /// <summary>The entries as they were stored before, every field named.</summary>
    private static string ObjectFormJson<T>(T entries) => JsonSerializer.Serialize(entries, ObjectForm);

    private static readonly JsonSerializerOptions ObjectForm = new(JsonSerializerDefaults.Web);
}
