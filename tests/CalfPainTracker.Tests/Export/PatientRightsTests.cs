using System.Net;
using CalfPainTracker.Tests.Infrastructure;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
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
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { notes = JanesNote, painAtNight = true }));
        var bob = clinic.Patient();
        await bob.LogCheckIn(await bob.OpenEpisode(), TestUser.CheckIn("2026-11-01", with: new { notes = BobsNote }));

        var export = await jane.GetJson("/api/me/export");

        Assert.Equal(jane.Id, export["patientId"]!.GetValue<Guid>());
        var record = Assert.Single(export["episodes"]!.AsArray())!;
        Assert.Equal(episode, record["episode"]!["id"]!.GetValue<Guid>());
        Assert.Contains(record["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "alert_raised");
        Assert.Contains(JanesNote, export.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BobsNote, export.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_erasure_no_event_or_read_model_holds_the_patients_notes_and_other_patients_are_untouched()
    {
        var clinic = new TestClinic(api);
        var jane = clinic.Patient();
        var episode = await jane.OpenEpisode();
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 6, with: new { notes = JanesNote }));
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 5, with: new { notes = JanesNote + " (corrected)" }));
        await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 4, with: new { notes = JanesNote }));
        var bob = clinic.Patient();
        await bob.LogCheckIn(await bob.OpenEpisode(), TestUser.CheckIn("2026-11-01", with: new { notes = BobsNote }));
        await api.CatchUp();

        var done = await (await jane.Client().DeleteAsync("/api/me")).ShouldBe(HttpStatusCode.OK);
        await api.CatchUp();

        Assert.Equal(1, done["episodes"]!.GetValue<int>());
        Assert.Contains("Kept for the clinic", done["whatIsKept"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var table in new[] { "mt_events", "mt_doc_episode", "mt_doc_episodetrend" })
        {
            Assert.True(await RowsContaining(table, JanesNote[..41]) == 0, $"{table} still holds the erased note");
            Assert.True(await RowsContaining(table, BobsNote) == 1, $"{table} lost another patient's note");
        }
        // The clinical record stays: the days and their pain scores, now without the notes.
        var days = (await clinic.Admin().GetJson($"/api/episodes/{episode}/check-ins"))["days"]!.AsArray();
        Assert.Equal([5, 4], days.Select(d => d!["painLevel"]!.GetValue<int>()));
        Assert.All(days, d => Assert.Equal("[erased at the patient's request]", d!["notes"]!.GetValue<string>()));
        await (await jane.LogCheckIn(episode, TestUser.CheckIn("2026-11-02"))).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    private static async Task<long> RowsContaining(string table, string text)
    {
        await using var database = NpgsqlDataSource.Create(await PostgresServer.ConnectionString);
        await using var command = database.CreateCommand($"select count(*) from calfpain_tests.{table} where data::text like $1");
        command.Parameters.AddWithValue($"%{text}%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
