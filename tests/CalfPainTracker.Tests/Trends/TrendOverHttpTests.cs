using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Marten.Events;
using Microsoft.Extensions.Time.Testing;

namespace CalfPainTracker.Tests.Trends;

public sealed class TrendOverHttpTests : IAsyncLifetime
{
    // Its own host and clock: six weeks of check-ins need "today" to be after them.
    private readonly FakeTimeProvider _clock = ApiHost.TestClock();
    private Alba.IAlbaHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_trends", _clock);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Six_weeks_of_a_settling_calf_strain_show_an_improving_trend_with_weeks_adherence_response_milestones_and_lefs()
    {
        var clinic = new TestClinic(_host);
        var patient = clinic.Patient();
        var physio = clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, onsetDate: "2026-09-20", cause: "medial-gastrocnemius-strain");
        await (await physio.Put($"/api/episodes/{episode}/plan",
            new { restHoursPerDay = 2, iceMinutesPerDay = 20, heatMinutesPerDay = 10, stretchingMinutesPerDay = 10 })).ShouldBe(HttpStatusCode.OK);
        await SixWeekRecovery.LogAll(patient, episode);
        await (await patient.Post($"/api/episodes/{episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(2, 20) })).ShouldBe(HttpStatusCode.Created);
        _clock.Advance(TimeSpan.FromDays(1));
        var lefs = await (await patient.Post($"/api/episodes/{episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(3, 20) })).ShouldBe(HttpStatusCode.Created);
        Assert.Equal(60, lefs["total"]!.GetValue<int>());
        await _host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var trend = await physio.GetJson($"/api/episodes/{episode}/trend");

        Assert.Equal(0, trend["eventsBehind"]!.GetValue<int>());
        var days = trend["days"]!.AsArray();
        Assert.Equal(SixWeekRecovery.Days - SixWeekRecovery.Missed.Length, days.Count);
        Assert.DoesNotContain(days, d => d!["day"]!.GetValue<string>() == "2026-10-04"); // a missed day is a gap
        Assert.Equal(6, days.Single(d => d!["day"]!.GetValue<string>() == "2026-09-22")!["painLevel"]!.GetValue<int>()); // corrected
        Assert.Contains(days, d => d!["day"]!.GetValue<string>() == "2026-10-10"); // backfilled, in order
        Assert.Equal("improving", trend["direction"]!.GetValue<string>());
        Assert.True(trend["meaningfulChange"]!.GetValue<bool>());
        Assert.True(trend["baselinePain"]!.GetValue<decimal>() > trend["currentPain"]!.GetValue<decimal>());
        Assert.True(trend["slopePerDay14"] is not null);
        Assert.InRange(trend["weeks"]!.AsArray().Count, 6, 7);
        Assert.NotNull(trend["adherence"]!["perTreatment"]!["icePercent"]);
        Assert.InRange(trend["adherence"]!["overall"]!.GetValue<decimal>(), 0m, 100m);
        var ice = trend["treatmentResponse"]!.AsArray().Single(t => t!["treatment"]!.GetValue<string>() == "ice")!;
        Assert.True(ice["enoughData"]!.GetValue<bool>());
        Assert.Contains("association", ice["interpretation"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(trend["milestones"]!["firstDayAtOrBelow2"]);
        Assert.Equal(20, trend["lefs"]!["changeFromFirst"]!.GetValue<int>());
        Assert.True(trend["lefs"]!["meaningfulImprovement"]!.GetValue<bool>());

        var october = await patient.GetJson($"/api/episodes/{episode}/trend?from=2026-10-01&to=2026-10-07");
        Assert.Equal(6, october["days"]!.AsArray().Count); // 4 October was missed
        Assert.Equal(trend["direction"]!.ToJsonString(), october["direction"]!.ToJsonString());

        var listed = await patient.GetJson($"/api/episodes/{episode}/check-ins");
        Assert.Equal(days.Count, listed["days"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_lefs_with_19_answers_or_an_answer_of_5_is_refused_and_nothing_is_stored()
    {
        var patient = new TestClinic(_host).Patient();
        var episode = await patient.OpenEpisode();

        var short19 = await (await patient.Post($"/api/episodes/{episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(2, 19) })).ShouldBeProblem(HttpStatusCode.BadRequest);
        var five = await (await patient.Post($"/api/episodes/{episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(5, 20) })).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(short19["errors"]!["answers"]);
        Assert.NotNull(five["errors"]!["answers[0]"]);
        await _host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var trend = await patient.GetJson($"/api/episodes/{episode}/trend");
        Assert.Null(trend["lefs"]);
    }
}
