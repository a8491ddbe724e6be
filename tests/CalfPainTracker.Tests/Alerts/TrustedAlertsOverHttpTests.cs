using System.Net;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace CalfPainTracker.Tests.Alerts;

/// <summary>Issue 21 against the service: clearing, tuning, the timeline with notes, the resolve note.</summary>
[Collection(nameof(ApiCollection))]
public sealed class TrustedAlertsOverHttpTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    private static JsonNode Alert(JsonNode alerts, string rule) => Assert.Single(alerts["alerts"]!.AsArray(), a => a!["rule"]!.GetValue<string>() == rule)!;

    [Fact]
    public async Task Given_swelling_on_one_day_when_three_quiet_days_follow_then_the_alert_is_cleared_off_the_dashboard_and_kept_in_the_history()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-28", with: new { swelling = "mild" }))).ShouldBe(HttpStatusCode.Created);
        foreach (var day in new[] { "2026-10-29", "2026-10-30" }) await (await patient.LogCheckIn(episode, TestUser.CheckIn(day))).ShouldBe(HttpStatusCode.Created);
        Assert.Single((await physio.GetJson("/api/dashboard"))["patients"]!.AsArray(), r => r!["episodeId"]!.GetValue<Guid>() == episode)!["openAlerts"]!.AsArray();

        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-31"))).ShouldBe(HttpStatusCode.Created);

        var swelling = Alert(await physio.GetJson($"/api/episodes/{episode}/alerts"), "swelling");
        Assert.Equal("cleared", swelling["status"]!.GetValue<string>());
        Assert.NotNull(swelling["clearedAt"]);
        Assert.Contains("3 check-ins", swelling["clearedReason"]!.GetValue<string>(), StringComparison.Ordinal);
        var row = Assert.Single((await physio.GetJson("/api/dashboard"))["patients"]!.AsArray(), r => r!["episodeId"]!.GetValue<Guid>() == episode)!;
        Assert.Empty(row["openAlerts"]!.AsArray());
        Assert.Empty((await physio.GetJson($"/api/episodes/{episode}"))["openAlerts"]!.AsArray());
        var timeline = (await physio.GetJson($"/api/episodes/{episode}/timeline"))["entries"]!.AsArray();
        Assert.Contains(timeline, e => e!["kind"]!.GetValue<string>() == "alert-cleared" && e["rule"]!.GetValue<string>() == "swelling");
        var history = (await patient.GetJson("/api/me/export"))["episodes"]![0]!["history"]!.AsArray();
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "alert-cleared");

        var acknowledge = await physio.Post($"/api/alerts/{swelling["id"]}/acknowledge", new { });
        await acknowledge.ShouldBeProblem(HttpStatusCode.Conflict);
        var again = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { swelling = "mild" }))).ShouldBe(HttpStatusCode.Created);
        Assert.NotEqual(swelling["id"]!.GetValue<Guid>(), Alert(again, "swelling")["id"]!.GetValue<Guid>());
    }

    [Theory]
    [InlineData("possible-clot")]
    [InlineData("possible-clot-in-lungs")]
    [InlineData("cold-pale-leg")]
    [InlineData("infection")]
    [InlineData("possible-rupture")]
    public async Task The_physio_cannot_snooze_a_rule_that_finds_a_clot_an_infection_a_rupture_or_an_emergency(string rule)
    {
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: _clinic.Patient());

        var problem = await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/{rule}", new { days = 7, reason = "Seen in clinic" }))
            .ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.Equal(rule, problem["rule"]!.GetValue<string>());
        Assert.Contains($"'{rule}'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tuning_out_of_bounds_or_of_an_unknown_rule_is_a_400_and_a_snoozed_rule_still_raises_its_urgent_alert()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning", new { persistentPain = new { minimumPain = 9, days = 1 } })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning", new { })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/no-such-rule", new { days = 7, reason = "x" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/swelling", new { days = 15, reason = "x" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/swelling", new { days = 7 })).ShouldBeProblem(HttpStatusCode.BadRequest);

        var tuning = await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/persistent-pain", new { days = 14, reason = "Known slow recovery" })).ShouldBe(HttpStatusCode.OK);
        var snooze = Assert.Single(tuning["snoozes"]!.AsArray())!;
        Assert.Equal((physio.Id, "Known slow recovery"), (snooze["by"]!.GetValue<Guid>(), snooze["reason"]!.GetValue<string>()));
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning", new { persistentPain = new { minimumPain = 6, days = 5 } })).ShouldBe(HttpStatusCode.OK);

        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-30", pain: 9));
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 9));
        var third = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 9))).ShouldBe(HttpStatusCode.Created);

        Assert.Equal("urgent", Alert(third, "persistent-pain")["severity"]!.GetValue<string>());
        var shown = await physio.GetJson($"/api/episodes/{episode}/alert-tuning");
        Assert.Equal((6, 5), (shown["persistentPain"]!["minimumPain"]!.GetValue<int>(), shown["persistentPain"]!["days"]!.GetValue<int>()));
    }

    [Fact]
    public async Task The_timeline_holds_the_episode_with_clinician_notes_which_the_patient_never_sees()
    {
        const string note = "Phoned her: swelling settling, keep the stocking on.";
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);
        var logged = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { canWalkComfortably = false }))).ShouldBe(HttpStatusCode.Created);
        await (await physio.Post($"/api/alerts/{logged["alerts"]![0]!["id"]}/acknowledge", new { })).ShouldBe(HttpStatusCode.OK);
        await (await physio.Put($"/api/episodes/{episode}/alert-tuning/snoozes/swelling", new { days = 3, reason = "Stocking fitted" })).ShouldBe(HttpStatusCode.OK);

        await (await physio.Post($"/api/episodes/{episode}/notes", new { text = "" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await physio.Post($"/api/episodes/{episode}/notes", new { text = new string('x', 2001) })).ShouldBeProblem(HttpStatusCode.BadRequest);
        await (await _clinic.Physio().Post($"/api/episodes/{episode}/notes", new { text = note })).ShouldBeProblem(HttpStatusCode.NotFound);
        var written = await (await physio.Post($"/api/episodes/{episode}/notes", new { text = note })).ShouldBe(HttpStatusCode.Created);
        Assert.Equal(physio.Id, written["by"]!.GetValue<Guid>());

        var entries = (await _clinic.Admin().GetJson($"/api/episodes/{episode}/timeline"))["entries"]!.AsArray();
        Assert.Equal(
            ["episode-opened", "physiotherapist-assigned", "check-in-logged", "alert-raised", "alert-acknowledged", "advice-rule-snoozed", "clinician-note"],
            entries.Select(e => e!["kind"]!.GetValue<string>()).Where(k => k != "plan-set"));
        var written2 = Assert.Single(entries, e => e!["kind"]!.GetValue<string>() == "clinician-note")!;
        Assert.Equal((note, physio.Id), (written2["text"]!.GetValue<string>(), written2["by"]!.GetValue<Guid>()));

        await (await patient.Get($"/api/episodes/{episode}/timeline")).ShouldBe(HttpStatusCode.Forbidden);
        var export = (await patient.GetJson("/api/me/export")).ToJsonString();
        Assert.DoesNotContain(note, export, StringComparison.Ordinal);
        Assert.DoesNotContain("Stocking fitted", export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clinic_that_does_not_require_a_note_may_resolve_without_one_and_by_default_it_is_a_400()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);
        var logged = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { canWalkComfortably = false }))).ShouldBe(HttpStatusCode.Created);
        var alert = logged["alerts"]![0]!["id"]!.GetValue<Guid>();
        await (await physio.Post($"/api/alerts/{alert}/resolve", new { })).ShouldBeProblem(HttpStatusCode.BadRequest);

        await using var relaxed = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_resolve_note", api.Clock,
            builder => builder.UseSetting("Alerts:RequireNoteToResolve", "false"));
        var clinic = new TestClinic(relaxed);
        var relaxedPatient = clinic.Patient();
        var relaxedPhysio = clinic.Physio();
        var relaxedEpisode = await relaxedPhysio.OpenEpisode(patient: relaxedPatient);
        var shown = await (await relaxedPatient.LogCheckIn(relaxedEpisode, TestUser.CheckIn("2026-11-01", with: new { canWalkComfortably = false }))).ShouldBe(HttpStatusCode.Created);
        var resolved = await (await relaxedPhysio.Post($"/api/alerts/{shown["alerts"]![0]!["id"]}/resolve", new { })).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("resolved", resolved["status"]!.GetValue<string>());
    }
}
