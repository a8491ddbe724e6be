using System.Net;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Episodes;

[Collection(nameof(ApiCollection))]
public sealed class EpisodeSummaryTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    [Fact]
    public async Task A_new_episode_has_nothing_tracked_yet()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode(cause: "plantaris-rupture");

        var summary = await patient.GetJson($"/api/episodes/{episode}");

        Assert.Equal(patient.Id, summary["patientId"]!.GetValue<Guid>());
        Assert.Equal("plantaris-rupture", summary["suspectedCause"]!.GetValue<string>());
        Assert.Equal("open", summary["status"]!.GetValue<string>());
        Assert.Equal(0, summary["daysTracked"]!.GetValue<int>());
        Assert.Null(summary["currentPain"]);
    }

    [Fact]
    public async Task The_summary_shows_the_latest_day_even_when_an_earlier_day_is_backfilled_afterwards()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-30", pain: 6));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 4, with: new { swelling = "mild" }));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 5));

        var summary = await patient.GetJson($"/api/episodes/{episode}");

        Assert.Equal(3, summary["daysTracked"]!.GetValue<int>());
        Assert.Equal("2026-11-01", summary["latestCheckIn"]!["day"]!.GetValue<string>());
        Assert.Equal("mild", summary["latestCheckIn"]!["swelling"]!.GetValue<string>());
        Assert.Equal(4, summary["currentPain"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_summary_says_which_way_the_pain_is_going_and_which_alerts_are_open_gravest_first()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-28", pain: 2));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-29", pain: 2));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-30", pain: 3, with: new { painAtNight = true }));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 5));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 6, with: new { symptoms = new[] { "fever", "warmth" } }));

        var summary = await patient.GetJson($"/api/episodes/{episode}");

        Assert.Equal("worsening", summary["direction"]!.GetValue<string>());
        var open = summary["openAlerts"]!.AsArray().Select(a => (a!["rule"]!.GetValue<string>(), a["severity"]!.GetValue<string>())).ToList();
        Assert.Equal(("infection", "urgent"), open[0]);
        Assert.Contains(("pain-at-night-or-rest", "advice"), open);
        Assert.Contains(("worsening", "advice"), open);
    }

    [Fact]
    public async Task A_second_check_in_for_a_day_corrects_it()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 7));

        var corrected = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 3))).ShouldBe(HttpStatusCode.Created);

        Assert.True(corrected["correction"]!.GetValue<bool>());
        var summary = await patient.GetJson($"/api/episodes/{episode}");
        Assert.Equal(1, summary["daysTracked"]!.GetValue<int>());
        Assert.Equal(1, summary["corrections"]!.GetValue<int>());
        Assert.Equal(3, summary["currentPain"]!.GetValue<int>());
    }

    public static TheoryData<object, string> BadEpisodes => new()
    {
        { new { side = "both", suspectedCause = "calf-strain", onsetDate = "2026-10-30", timeZone = "Europe/London" }, "side" },
        { new { side = "left", suspectedCause = "sprained-ankle", onsetDate = "2026-10-30", timeZone = "Europe/London" }, "suspectedCause" },
        { new { side = "left", suspectedCause = "calf-strain", onsetDate = "2026-11-30", timeZone = "Europe/London" }, "onsetDate" },
        { new { side = "left", suspectedCause = "calf-strain", onsetDate = "2026-10-30", timeZone = "Mars/Olympus" }, "timeZone" },
        { new { side = "left", suspectedCause = "calf-strain", timeZone = "Europe/London" }, "onsetDate" },
    };

    [Theory]
    [MemberData(nameof(BadEpisodes))]
    public async Task An_episode_with_a_bad_field_is_refused_naming_the_field(object request, string field)
    {
        var problem = await (await _clinic.Patient().Post("/api/episodes", request)).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]?[field]);
    }
}
