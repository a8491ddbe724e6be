using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Infrastructure;
using CalfPainTracker.Trends;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CalfPainTracker.Tests.Trends;

[Collection(nameof(ApiCollection))]
public sealed class TrendProjectionProperties(ApiHost api)
{
    private static readonly DateOnly Onset = new(2026, 10, 20);

    /// <summary>One check-in of a generated history: days repeat (corrections) and go backwards (backfill).</summary>
    public sealed record Entry(int DayOffset, int Pain, bool Ice, bool Stretching, int RestHours, bool Nsaid);

    private static readonly Gen<Entry> Entries =
        from day in Gen.Choose(0, 13)
        from pain in Gen.Choose(0, 10)
        from ice in Gen.Elements(true, false)
        from stretching in Gen.Elements(true, false)
        from rest in Gen.Choose(0, 4)
        from nsaid in Gen.Elements(true, false)
        select new Entry(day, pain, ice, stretching, rest, nsaid);

    [Fact]
    public async Task For_any_history_with_gaps_corrections_backfill_a_plan_and_lefs_the_projected_trend_equals_the_trend_of_the_raw_events()
    {
        var histories = Gen.Sample(Gen.NonEmptyListOf(Entries), 20, 25);
        var json = api.Host.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

        var logged = new List<(IList<Entry> History, TestClinic Clinic, TestUser Patient, Guid Episode)>();
        foreach (var (history, i) in histories.Select((h, i) => (h, i)))
        {
            var clinic = new TestClinic(api);
            var patient = clinic.Patient();
            var physio = clinic.Physio();
            var episode = await physio.OpenEpisode(patient: patient, onsetDate: Onset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            // A plan set before the check-ins, one replaced after them, and LEFS answered on the
            // clock's day: the trend must take the latest plan and every score.
            if (i % 3 == 0) await SetPlan(physio, episode, restHours: 1);
            foreach (var entry in history) await patient.LogCheckIn(episode, CheckInOf(entry));
            if (i % 2 == 0) await SetPlan(physio, episode, restHours: 2 + i % 3);
            for (var answered = 0; answered < i % 3; answered++)
            {
                await (await patient.Post($"/api/episodes/{episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(history.Count % 5, 20) })).ShouldBe(System.Net.HttpStatusCode.Created);
            }
            logged.Add((history, clinic, patient, episode));
        }
        await api.CatchUp();

        foreach (var (history, clinic, patient, episode) in logged)
        {
            var projected = (await patient.GetJson($"/api/episodes/{episode}/trend")).AsObject();
            foreach (var extra in new[] { "episodeId", "eventsBehind", "disclaimer" }) projected.Remove(extra);

            var latestByDay = new SortedDictionary<DateOnly, CheckIn>();
            TreatmentPlan? plan = null;
            var lefs = new List<LefsScore>();
            foreach (var e in await api.Events(clinic.Id, episode))
            {
                if (e.Data is CheckInLogged first) latestByDay[first.CheckIn.Day] = first.CheckIn;
                if (e.Data is CheckInCorrected corrected) latestByDay[corrected.CheckIn.Day] = corrected.CheckIn;
                if (e.Data is TreatmentPlanSet set) plan = set.Plan;
                if (e.Data is LefsAnswered answered) lefs.Add(LefsScore.Of(answered));
            }
            var direct = JsonSerializer.SerializeToNode(RecoveryTrends.Compute([.. latestByDay.Values], plan, lefs), json)!;

            Assert.True(JsonNode.DeepEquals(direct, projected),
                $"History {string.Join(", ", history)}\nprojected {projected}\ndirect    {direct}");
        }
    }

    private static async Task SetPlan(TestUser physio, Guid episode, int restHours) =>
        await (await physio.Put($"/api/episodes/{episode}/plan",
            new { restHoursPerDay = restHours, iceMinutesPerDay = 20, heatMinutesPerDay = 0, stretchingMinutesPerDay = 10 })).ShouldBe(System.Net.HttpStatusCode.OK);

    private static JsonObject CheckInOf(Entry entry) =>
        TestUser.CheckIn(Onset.AddDays(entry.DayOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), entry.Pain, new
        {
            iceMinutes = entry.Ice ? 20 : 0,
            stretchingMinutes = entry.Stretching ? 10 : 0,
            restHours = entry.RestHours,
            nsaidTaken = entry.Nsaid,
        });
}
