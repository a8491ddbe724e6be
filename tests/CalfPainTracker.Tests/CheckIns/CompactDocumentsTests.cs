using System.Globalization;
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
        var lastDay = PatientStories.Onset.AddDays(299).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.StartsWith($"{{\"days\":[\"2026-10-01/{lastDay}\"],\"pain\":[7,6,5,", DaysJson(storedTriage), StringComparison.Ordinal);
        Assert.True(DaysJson(storedTriage).Length * 3 < ADayAtATimeJson(triage.Days).Length * 2, $"triage days: {DaysJson(storedTriage).Length} bytes against {ADayAtATimeJson(triage.Days).Length} a day at a time");
        Assert.True(DaysJson(storedEpisode).Length * 5 < ADayAtATimeJson(episode.Days).Length, $"episode days: {DaysJson(storedEpisode).Length} bytes against {ADayAtATimeJson(episode.Days).Length} a day at a time");
    }

    [Fact]
    public void Days_with_gaps_backfills_and_single_days_are_read_back_as_written()
    {
        var random = new Random(20);
        for (var round = 0; round < 200; round++)
        {
            var days = new List<TriageDay>();
            var day = PatientStories.Onset.AddDays(random.Next(-400, 400));
            for (var i = random.Next(0, 40); i > 0; i--)
            {
                day = day.AddDays(random.Next(4) == 0 ? random.Next(2, 30) : 1);
                days.Add(new TriageDay(day, random.Next(11), random.Next(0, 97) / 4m, random.Next(0, 240), random.Next(0, 240), random.Next(0, 240)));
            }
            var triage = new PatientTriage { Days = days };

            Assert.Equal(days, Read<PatientTriage>(Serializer.ToJson(triage)).Days);
        }
    }

    [Fact]
    public void Days_stored_an_array_a_day_are_still_read()
    {
        var (episode, triage, trend, _) = Recovery(days: 20);
        var storedTriage = Serializer.ToJson(triage);
        var storedEpisode = Serializer.ToJson(episode);
        var storedTrend = Serializer.ToJson(trend);

        Assert.Equal(triage.Days, Read<PatientTriage>(WithDays(storedTriage, ADayAtATimeJson(triage.Days))).Days);
        Assert.Equal(episode.Days, Read<Episode>(WithDays(storedEpisode, ADayAtATimeJson(episode.Days))).Days);
        Assert.Equal(trend.Days, Read<EpisodeTrend>(WithDays(storedTrend, ADayAtATimeJson(trend.Days))).Days);
    }

    [Theory]
    [InlineData("{\"days\":[\"2026-10-01/2026-10-03\"],\"pain\":[4,5]}", "a figure missing for a day")]
    [InlineData("{\"days\":[\"2026-10-01\"],\"pain\":[4,5]}", "a figure too many")]
    [InlineData("{\"days\":[\"2026-10-02\",\"2026-10-01\"],\"pain\":[4,5]}", "days out of order")]
    [InlineData("{\"days\":[\"2026-10-01\"]}", "a figure's column missing")]
    [InlineData("{\"pain\":[4]}", "the days missing")]
    [InlineData("{\"days\":[\"2026-02-30\"],\"pain\":[4]}", "a day that is not a date")]
    [InlineData("{\"days\":[\"2026-10-01\"],\"pain\":[\"4\"]}", "a figure that is not a number")]
    [InlineData("{\"days\":[\"0001-01-01/9999-12-31\"],\"pain\":[]}", "a run of days longer than any recovery")]
    public void Days_that_are_not_as_written_are_refused_rather_than_read_wrong(string days, string why)
    {
        var stored = WithDays(Serializer.ToJson(new Episode()), days);

        Assert.True(Assert.ThrowsAny<Exception>(() => Read<Episode>(stored)) is JsonException or { InnerException: JsonException }, why);
    }

    [Fact]
    public void Documents_stored_before_with_every_field_named_are_still_read()
    {
        var (episode, triage, trend, checkIns) = Recovery(days: 5);
        var storedBefore = WithDays(Serializer.ToJson(triage), ObjectFormJson(triage.Days));
        var episodeBefore = WithDays(Serializer.ToJson(episode), ObjectFormJson(episode.Days));

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
        var trendBefore = WithDays(Serializer.ToJson(trend), Serializer.ToJson(checkIns));
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

    [Fact]
    public void A_triage_row_missing_one_of_its_figures_is_refused_and_the_last_day_of_the_calendar_is_read()
    {
        var (_, triage, _, _) = Recovery(days: 3);
        var stored = Serializer.ToJson(triage);
        var columns = JsonDocument.Parse(DaysJson(stored)).RootElement.EnumerateObject().Where(c => c.Name != "heat");
        var withoutHeat = WithDays(stored, ColumnsJson(columns));

        Assert.True(Assert.ThrowsAny<Exception>(() => Read<PatientTriage>(withoutHeat)) is JsonException or { InnerException: JsonException });
        var lastDay = new PatientTriage { Days = [new TriageDay(DateOnly.MaxValue, 3, 1.5m, 10, 0, 5)] };
        Assert.Equal(lastDay.Days, Read<PatientTriage>(Serializer.ToJson(lastDay)).Days);
    }

    [Fact]
    public void Days_out_of_order_in_memory_fail_their_write_instead_of_every_later_read()
    {
        var triage = new PatientTriage { Days = [new TriageDay(PatientStories.Onset.AddDays(1), 3, 0, 0, 0, 0), new TriageDay(PatientStories.Onset, 4, 0, 0, 0, 0)] };

        Assert.True(Assert.ThrowsAny<Exception>(() => Serializer.ToJson(triage)) is JsonException or { InnerException: JsonException });
    }

    [Fact]
    public void Days_are_read_whatever_the_order_of_the_columns_as_the_database_keeps_them_in_an_order_of_its_own()
    {
        var (_, triage, _, _) = Recovery(days: 9);
        var columns = JsonDocument.Parse(DaysJson(Serializer.ToJson(triage))).RootElement.EnumerateObject().Reverse();
        var reordered = ColumnsJson(columns);
        Assert.StartsWith("{\"stretching\":", reordered, StringComparison.Ordinal);

        var stored = WithDays(Serializer.ToJson(triage), reordered);

        Assert.Equal(triage.Days, Read<PatientTriage>(stored).Days);
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

    /// <summary>The stored document's days, as written.</summary>
    private static string DaysJson(string document) => Json(document, "days");

    /// <summary>The stored document with its days stored as <paramref name="days"/> instead.</summary>
    private static string WithDays(string document, string days) => document.Replace(DaysJson(document), days, StringComparison.Ordinal);

    /// <summary>An object of the columns given, in the order given.</summary>
    private static string ColumnsJson(IEnumerable<JsonProperty> columns) => "{" + string.Join(",", columns.Select(c => $"\"{c.Name}\":{c.Value.GetRawText()}")) + "}";

    private static string Json(string document, string property) => JsonDocument.Parse(document).RootElement.GetProperty(property).GetRawText();

    /// <summary>The receipts, field by field (a record compares its list of alerts by reference).</summary>
    private static List<string> Receipts(Episode episode) =>
        [.. episode.Receipts.Select(r => $"{r.Key} {r.Value.Day} {r.Value.Correction} {r.Value.Number} {string.Join(',', r.Value.AlertIds)}").Order(StringComparer.Ordinal)];

    /// <summary>The days as they were stored until December 2026: an array per day, its date first, then its figures.</summary>
    private static string ADayAtATimeJson<T>(IEnumerable<T> days) where T : ILoggedDay =>
        JsonSerializer.Serialize(days.Select(d => (object[])[d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), .. Figures(d)]));

    private static object[] Figures<T>(T day) => day switch
    {
        DayPain p => [p.Pain],
        TriageDay t => [t.PainLevel, t.RestHours, t.IceMinutes, t.HeatMinutes, t.StretchingMinutes],
        RecoveryDay r => [r.PainLevel, (int)r.Swelling, r.HasSwelling ? 1 : 0, r.RestHours, r.IceMinutes, r.HeatMinutes, r.StretchingMinutes, r.NsaidTaken ? 1 : 0],
        _ => throw new ArgumentException($"No figures known for {typeof(T).Name}."),
    };

    /// <summary>The entries as they were stored before, every field named.</summary>
    private static string ObjectFormJson<T>(T entries) => JsonSerializer.Serialize(entries, ObjectForm);

    private static readonly JsonSerializerOptions ObjectForm = new(JsonSerializerDefaults.Web);
}
