using System.Net;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Episodes;

[Collection(nameof(ApiCollection))]
public sealed class EpisodeLifecycleTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    [Fact]
    public async Task The_clinic_assigns_a_physiotherapist_who_then_sees_the_episode_until_it_is_handed_over()
    {
        var patient = _clinic.Patient();
        var first = _clinic.Physio();
        var second = _clinic.Physio();
        var episode = await patient.OpenEpisode();
        Assert.Equal(HttpStatusCode.NotFound, (await first.Get($"/api/episodes/{episode}")).StatusCode);

        await (await _clinic.Admin().Put($"/api/episodes/{episode}/physiotherapist", new { physioId = first.Id })).ShouldBe(HttpStatusCode.NoContent);
        Assert.Equal(first.Id, (await first.GetJson($"/api/episodes/{episode}"))["physiotherapistId"]!.GetValue<Guid>());

        await (await first.Put($"/api/episodes/{episode}/physiotherapist", new { physioId = second.Id })).ShouldBe(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await first.Get($"/api/episodes/{episode}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.Get($"/api/episodes/{episode}")).StatusCode);
    }

    [Fact]
    public async Task The_physiotherapist_sets_a_treatment_plan_that_the_summary_shows()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);

        await (await physio.Put($"/api/episodes/{episode}/plan",
            new { restHoursPerDay = 1.5, iceMinutesPerDay = 20, heatMinutesPerDay = 10, stretchingMinutesPerDay = 15 })).ShouldBe(HttpStatusCode.OK);

        var plan = (await patient.GetJson($"/api/episodes/{episode}"))["plan"]!;
        Assert.Equal(1.5m, plan["restHoursPerDay"]!.GetValue<decimal>());
        Assert.Equal(15, plan["stretchingMinutesPerDay"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_plan_with_an_impossible_target_is_refused()
    {
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: _clinic.Patient());

        var problem = await (await physio.Put($"/api/episodes/{episode}/plan",
            new { restHoursPerDay = 30, iceMinutesPerDay = 20, heatMinutesPerDay = 0 })).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]!["restHoursPerDay"]);
        Assert.NotNull(problem["errors"]!["stretchingMinutesPerDay"]);
    }

    [Fact]
    public async Task A_closed_episode_takes_no_more_check_ins_but_a_resubmission_still_gets_its_first_answer()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var logged = TestUser.CheckIn("2026-11-01");
        await (await patient.LogCheckIn(episode, logged)).ShouldBe(HttpStatusCode.Created);

        await (await patient.Post($"/api/episodes/{episode}/close", new { reason = "recovered" })).ShouldBe(HttpStatusCode.NoContent);

        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-02"))).ShouldBeProblem(HttpStatusCode.Conflict);
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        await (await patient.LogCheckIn(episode, logged)).ShouldBe(HttpStatusCode.Created);
        await (await patient.Post($"/api/episodes/{episode}/close", new { reason = "other" })).ShouldBeProblem(HttpStatusCode.Conflict);
        var summary = await patient.GetJson($"/api/episodes/{episode}");
        Assert.Equal("closed", summary["status"]!.GetValue<string>());
        Assert.Equal("recovered", summary["closeReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Check_ins_are_listed_in_day_order_within_the_asked_range()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        foreach (var day in new[] { "2026-10-29", "2026-10-27", "2026-10-31", "2026-10-30" })
        {
            await patient.LogCheckIn(episode, TestUser.CheckIn(day));
        }

        var listed = await patient.GetJson($"/api/episodes/{episode}/check-ins?from=2026-10-28&to=2026-10-30");

        Assert.Equal(["2026-10-29", "2026-10-30"], listed["days"]!.AsArray().Select(d => d!["day"]!.GetValue<string>()));
        await (await patient.Get($"/api/episodes/{episode}/check-ins?from=2026-11-05&to=2026-11-01")).ShouldBeProblem(HttpStatusCode.BadRequest);
    }
}
