using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Export;

[Collection(nameof(ApiCollection))]
public sealed class PatientRightsTests(ApiHost api)
{
    // Unique per test: every test shares the schema, and these look for the text in whole tables.
    private readonly string JanesNote = $"Jane Doe {Guid.NewGuid():N} here, ring me on 07700 900123 if the swelling is bad";
    private readonly string BobsNote = $"Bob {Guid.NewGuid():N}: felt better after the physio session";

    [Fact]
    public async Task A_patient_downloads_everything_held_about_them_and_nothing_of_anyone_else()
    {
        var clinic = new TestClinic(api);
        var jane = clinic.Patient();
        var episode = await jane.OpenEpisode();
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 6, with: new { notes = JanesNote, painAtNight = true }));
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 5, with: new { notes = JanesNote, painAtNight = true }));
        var bob = clinic.Patient();
        await bob.LogCheckIn(await bob.OpenEpisode(), TestUser.CheckIn("2026-11-01", with: new { notes = BobsNote }));

        var export = await jane.GetJson("/api/me/export");

        Assert.Equal(jane.Id, export["patientId"]!.GetValue<Guid>());
        var record = Assert.Single(export["episodes"]!.AsArray())!;
        Assert.Equal(episode, record["episode"]!["id"]!.GetValue<Guid>());
        Assert.Equal([false, true], record["checkIns"]!.AsArray().Select(c => c!["correction"]!.GetValue<bool>()));
        Assert.Equal("pain-at-night-or-rest", record["alerts"]![0]!["rule"]!.GetValue<string>());
        Assert.Equal(["episode-opened", "check-in-logged", "alert-raised", "check-in-corrected"],
            record["history"]!.AsArray().Select(h => h!["what"]!.GetValue<string>()));
        Assert.Contains(JanesNote, export.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BobsNote, export.ToJsonString(), StringComparison.Ordinal);
        // Its own documented shape: none of the event store's names or the episode's bookkeeping.
        Assert.DoesNotContain("alert_raised", export.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("receipts", export.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_clinicians_wells_examination_reaches_no_route_a_patient_can_call()
    {
        var clinic = new TestClinic(api);
        var jane = clinic.Patient();
        var physio = clinic.Physio();
        var episode = await jane.OpenEpisode();
        await (await clinic.Admin().Put($"/api/episodes/{episode}/physiotherapist", new { physioId = physio.Id })).ShouldBe(HttpStatusCode.NoContent);
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 5, with: new { swelling = "mild", symptoms = new[] { "redness" } }));
        await (await physio.Put($"/api/episodes/{episode}/wells-exam",
            new { deepVeinTenderness = false, pittingOedema = false, collateralVeins = false, alternativeDiagnosisAsLikely = true })).ShouldBe(HttpStatusCode.OK);
        await api.CatchUp();

        string[] patientRoutes =
        [
            "/api/me/export", $"/api/episodes/{episode}", $"/api/episodes/{episode}/check-ins", $"/api/episodes/{episode}/trend",
            $"/api/episodes/{episode}/alerts", $"/api/episodes/{episode}/export/csv", $"/api/episodes/{episode}/export/fhir",
        ];
        foreach (var route in patientRoutes)
        {
            var response = await jane.Get(route);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            foreach (var clinicianOnly in new[] { "unlikely", "wellsExam", "deepVeinTenderness", "pittingOedema", "alternativeDiagnosis", "RiskAssessment" })
            {
                Assert.False(body.Contains(clinicianOnly, StringComparison.OrdinalIgnoreCase), $"{route} shows the patient '{clinicianOnly}'");
            }
        }
    }

    [Fact]
    public async Task Erasure_is_complete_when_it_answers_even_with_the_daemon_running_and_the_patients_share_links_stop_working()
    {
        var clinic = new TestClinic(api);
        var jane = clinic.Patient();
        var episode = await jane.OpenEpisode();
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 6, with: new { notes = JanesNote }));
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 5, with: new { notes = JanesNote + " (corrected)" }));
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 4, with: new { notes = JanesNote }));
        var bob = clinic.Patient();
        await bob.LogCheckIn(await bob.OpenEpisode(), TestUser.CheckIn("2026-11-01", with: new { notes = BobsNote }));
        var link = (await (await jane.Post($"/api/episodes/{episode}/report-links", new { })).ShouldBe(HttpStatusCode.Created))["url"]!.GetValue<string>();

        // No waiting for the daemon, before or after: it is working through these very events.
        var done = await (await jane.Client().DeleteAsync("/api/me")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(1, done["episodes"]!.GetValue<int>());
        Assert.Contains("Kept for the clinic", done["whatIsKept"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var table in new[] { "mt_events", "mt_doc_episode" })
        {
            Assert.True(await RowsContaining(table, JanesNote[..41]) == 0, $"{table} still holds the erased note");
            Assert.True(await RowsContaining(table, BobsNote) == 1, $"{table} lost another patient's note");
        }
        var anonymous = api.Host.Server.CreateClient();
        Assert.Equal(HttpStatusCode.Gone, (await anonymous.GetAsync(new Uri(link).PathAndQuery)).StatusCode);
        // The clinical record stays: the days and their pain scores, now without the notes.
        var days = (await clinic.Admin().GetJson($"/api/episodes/{episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal([5, 4], days.Select(d => d!["painLevel"]!.GetValue<int>()));
        Assert.All(days, d => Assert.Equal("[erased at the patient's request]", d!["notes"]!.GetValue<string>()));
        Assert.DoesNotContain(JanesNote[..41], (await jane.GetJson("/api/me/export")).ToJsonString(), StringComparison.Ordinal);
        await (await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-02"))).ShouldBeProblem(HttpStatusCode.Conflict);

        // The trend keeps its figures (it never holds notes; see the next test for one stored before).
        await api.CatchUp();
        var trend = await clinic.Admin().GetJson($"/api/episodes/{episode}/trend");
        Assert.Equal([5, 4], trend["days"]!.AsArray().Select(d => d!["painLevel"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_trend_stored_before_it_kept_figures_only_loses_the_patients_notes_at_the_erasure()
    {
        var clinic = new TestClinic(api);
        var jane = clinic.Patient();
        var episode = await jane.OpenEpisode();
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 6, with: new { notes = JanesNote }));
        await api.CatchUp();
        // As trend documents were stored before: each day the check-in in full, notes and all.
        await Sql($$"""
            update calfpain_tests.mt_doc_episodetrend t set data = jsonb_set(t.data, '{days}',
              (select jsonb_agg(e.data->'checkIn') from calfpain_tests.mt_events e where e.stream_id = t.id and e.type = 'check_in_logged'))
            where t.id = '{{episode}}'
            """);
        Assert.True(await RowsContaining("mt_doc_episodetrend", JanesNote[..41]) == 1, "the trend was not put in its earlier form");

        await (await jane.Client().DeleteAsync("/api/me")).ShouldBe(HttpStatusCode.OK);
        await api.CatchUp();

        Assert.True(await RowsContaining("mt_doc_episodetrend", JanesNote[..41]) == 0, "the trend read model still holds the erased note");
        var trend = await clinic.Admin().GetJson($"/api/episodes/{episode}/trend");
        Assert.Equal(6, Assert.Single(trend["days"]!.AsArray())!["painLevel"]!.GetValue<int>());
    }

    private static async Task Sql(string statement)
    {
        await using var database = NpgsqlDataSource.Create(await PostgresServer.ConnectionString);
        await using var command = database.CreateCommand(statement);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> RowsContaining(string table, string text)
    {
        await using var database = NpgsqlDataSource.Create(await PostgresServer.ConnectionString);
        await using var command = database.CreateCommand($"select count(*) from calfpain_tests.{table} where data::text like $1");
        command.Parameters.AddWithValue($"%{text}%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
