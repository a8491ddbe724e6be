using System.Net;
using Alba;
using System.Text.Json.Nodes;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.CheckIns;

[Collection(nameof(ApiCollection))]
public sealed class LoggingACheckInTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    [Fact]
    public async Task A_patient_logs_a_check_in_and_it_is_stored_as_an_event_on_the_episode()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var body = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 6))).ShouldBe(HttpStatusCode.Created);

        Assert.Equal("2026-11-01", body["day"]!.GetValue<string>());
        var events = await api.Events(_clinic.Id, episode);
        var logged = Assert.IsType<CheckInLogged>(events[^1].Data);
        Assert.Equal(6, logged.CheckIn.PainLevel);
    }

    [Fact]
    public async Task Every_field_a_patient_logs_is_read_back_from_the_store_as_logged_from_the_event_and_the_episode()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode(onsetDate: "2026-10-28");
        var sent = TestUser.CheckIn("2026-11-02", pain: 7, with: new
        {
            painAtRest = true,
            painAtNight = true,
            swelling = "moderate",
            swellingAtAnkle = true,
            calfCircumferenceCm = new { affected = 38.5m, other = 36.25m },
            restHours = 7.5m,
            iceMinutes = 25,
            heatMinutes = 15,
            stretchingMinutes = 12,
            nsaidTaken = true,
            canWalkComfortably = true,
            symptoms = new[] { "warmth", "redness" },
            notes = "Sore after the stairs",
        });

        var before = api.Clock.GetUtcNow();
        await (await patient.LogCheckIn(episode, sent)).ShouldBe(HttpStatusCode.Created);
        var after = api.Clock.GetUtcNow();

        var logged = Assert.Single((await api.Events(_clinic.Id, episode)).Select(e => e.Data).OfType<CheckInLogged>()).CheckIn;
        await using var session = api.Host.Services.GetRequiredService<IDocumentStore>().QuerySession(_clinic.Id.ToString());
        var latest = (await session.LoadAsync<CalfPainTracker.Episodes.Episode>(episode))!.Latest!;
        foreach (var read in new[] { logged, latest })
        {
            Assert.Equal(
                (sent["checkInId"]!.GetValue<Guid>(), new DateOnly(2026, 11, 2), 7, true, true, Swelling.Moderate, true, new CalfCircumference(38.5m, 36.25m)),
                (read.CheckInId, read.Day, read.PainLevel, read.PainAtRest, read.PainAtNight, read.Swelling, read.SwellingAtAnkle, read.CalfCircumferenceCm));
            // Every flag differs from a blank check-in's, so a field lost on the way back shows.
            Assert.Equal((7.5m, 25, 15, 12, true, true, "Sore after the stairs"),
                (read.RestHours, read.IceMinutes, read.HeatMinutes, read.StretchingMinutes, read.NsaidTaken, read.CanWalkComfortably, read.Notes));
            Assert.Equal([Symptom.Warmth, Symptom.Redness], read.Symptoms);
            Assert.InRange(read.LoggedAt, before, after);
        }
    }

    [Fact]
    public async Task Given_a_patient_in_santiago_when_she_backfills_a_day_before_the_clocks_skip_midnight_with_breathlessness_then_the_emergency_is_raised()
    {
        // America/Santiago's clocks go from 00:00 to 01:00 on 6 September 2026: that day has no midnight.
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode(onsetDate: "2026-08-30", timeZone: "America/Santiago");

        var body = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-09-01", pain: 6, with: new { symptoms = new[] { "shortness-of-breath" } })))
            .ShouldBe(HttpStatusCode.Created);

        var alert = Assert.Single(body["alerts"]!.AsArray());
        Assert.Equal(("possible-clot-in-lungs", "emergency"), (alert!["rule"]!.GetValue<string>(), alert["severity"]!.GetValue<string>()));
        var alerts = await patient.GetJson($"/api/episodes/{episode}/alerts");
        Assert.Contains(alerts["alerts"]!.AsArray(), a => a!["rule"]!.GetValue<string>() == "possible-clot-in-lungs");
    }

    [Fact]
    public async Task A_check_in_whose_client_has_gone_away_is_still_stored_and_a_retry_finds_it()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var checkIn = TestUser.CheckIn("2026-11-01", pain: 4);

        // The phone lost its signal after sending: the request is aborted before the service has even read it.
        await api.Host.Scenario(s =>
        {
            s.Post.Json(checkIn).ToUrl($"/api/episodes/{episode}/check-ins");
            s.WithBearerToken(patient.Token());
            s.ConfigureHttpContext(context => context.RequestAborted = new CancellationToken(canceled: true));
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        var retry = await patient.LogCheckIn(episode, checkIn);

        await retry.ShouldBe(HttpStatusCode.Created);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Single((await api.Events(_clinic.Id, episode)).Select(e => e.Data).OfType<CheckInLogged>());
    }

    public static TheoryData<string, object, string> BadFields => new()
    {
        { "pain above 10", new { painLevel = 11 }, "painLevel" },
        { "pain below 0", new { painLevel = -1 }, "painLevel" },
        { "pain missing", new { painLevel = (int?)null }, "painLevel" },
        { "unknown swelling", new { swelling = "huge" }, "swelling" },
        { "unknown symptom", new { symptoms = new[] { "warmth", "itchy" } }, "symptoms[1]" },
        { "day in the future", new { day = "2026-11-03" }, "day" },
        { "day before onset", new { day = "2026-10-25" }, "day" },
        { "day not a date", new { day = "yesterday" }, "day" },
        { "day missing", new { day = (string?)null }, "day" },
        { "check-in id missing", new { checkInId = (Guid?)null }, "checkInId" },
        { "rest above 24 hours", new { restHours = 25 }, "restHours" },
        { "negative ice", new { iceMinutes = -5 }, "iceMinutes" },
        { "heat above a day", new { heatMinutes = 1441 }, "heatMinutes" },
        { "stretching above a day", new { stretchingMinutes = 2000 }, "stretchingMinutes" },
        { "notes too long", new { notes = new string('x', 2001) }, "notes" },
        { "walking missing", new { canWalkComfortably = (bool?)null }, "canWalkComfortably" },
        { "calf girth implausible", new { calfCircumferenceCm = new { affected = 400, other = 36 } }, "calfCircumferenceCm.affected" },
        { "calf girth half given", new { calfCircumferenceCm = new { affected = 38 } }, "calfCircumferenceCm.other" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_check_in_with_a_bad_field_is_refused_naming_the_field_and_nothing_is_written(string why, object change, string field)
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var before = (await api.Events(_clinic.Id, episode)).Count;

        var problem = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: change))).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"{why}: expected an error for '{field}' in {problem}");
        Assert.Equal(before, (await api.Events(_clinic.Id, episode)).Count);
    }

    [Fact]
    public async Task A_body_that_is_not_json_of_the_right_shape_is_a_400_problem()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var response = await patient.Client().PostAsync($"/api/episodes/{episode}/check-ins",
            new StringContent("{\"painLevel\": \"very bad\"}", System.Text.Encoding.UTF8, "application/json"));

        await response.ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.Single(await api.Events(_clinic.Id, episode));
    }

    [Fact]
    public async Task Resubmitting_the_same_check_in_id_returns_the_first_result_and_appends_nothing()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var checkIn = TestUser.CheckIn("2026-11-01", pain: 4);

        var first = await (await patient.LogCheckIn(episode, checkIn)).ShouldBe(HttpStatusCode.Created);
        checkIn["painLevel"] = 9; // a retry after a lost response must not become a correction
        var again = await patient.LogCheckIn(episode, checkIn);
        var second = await again.ShouldBe(HttpStatusCode.Created);

        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, (await api.Events(_clinic.Id, episode)).Count);
        Assert.Equal(4, (await patient.GetJson($"/api/episodes/{episode}"))["currentPain"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_same_check_in_sent_five_times_at_once_is_stored_once()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var checkIn = TestUser.CheckIn("2026-11-01");

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => patient.LogCheckIn(episode, checkIn)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single((await api.Events(_clinic.Id, episode)).Select(e => e.Data).OfType<CheckInLogged>());
    }

    [Fact]
    public async Task Check_ins_racing_on_one_episode_all_land()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var days = Enumerable.Range(0, 8).Select(i => new DateOnly(2026, 10, 26).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var responses = await Task.WhenAll(days.Select(day => patient.LogCheckIn(episode, TestUser.CheckIn(day))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var summary = await patient.GetJson($"/api/episodes/{episode}");
        Assert.Equal(8, summary["daysTracked"]!.GetValue<int>());
        Assert.Equal(8, (await api.Events(_clinic.Id, episode)).Select(e => e.Data).OfType<CheckInLogged>().Count());
    }

    [Fact]
    public async Task A_check_in_for_an_unknown_episode_is_404()
    {
        var response = await _clinic.Patient().LogCheckIn(Guid.NewGuid(), TestUser.CheckIn("2026-11-01"));

        await response.ShouldBeProblem(HttpStatusCode.NotFound);
    }
}
