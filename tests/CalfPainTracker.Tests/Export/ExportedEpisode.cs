using System.Net;
using Alba;
using CalfPainTracker.Tests.Infrastructure;
using CalfPainTracker.Tests.Trends;
using Marten.Events;
using Microsoft.Extensions.Time.Testing;

namespace CalfPainTracker.Tests.Export;

/// <summary>
/// The six-week calf strain, logged once over HTTP for every export test, with what exports
/// must carry on top: a plan, two LEFS questionnaires, a last day with swelling, a tape
/// measure 3.5 cm larger and redness (an urgent possible-clot alert), notes a spreadsheet
/// would choke on, and the physiotherapist's Wells examination (score -1: "DVT unlikely by
/// score", which no patient may ever be shown).
/// </summary>
public sealed class ExportedEpisode : IAsyncLifetime
{
    public const string FormulaNote = "=HYPERLINK(\"http://evil.example\",\"click me\")";
    public const string AwkwardNote = "Walked 2 km, \"felt OK\"\r\nPhysio said: ice; résumé ✓";
    public const string LastDay = "2026-11-01";

    /// <summary>Its own clock: six weeks of check-ins need "today" after them.</summary>
    public FakeTimeProvider Clock { get; } = ApiHost.TestClock();

    public IAlbaHost Host { get; private set; } = null!;
    public TestClinic Clinic { get; private set; } = null!;
    public TestUser Patient { get; private set; } = null!;
    public TestUser Physio { get; private set; } = null!;
    public Guid Episode { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_export", Clock);
        Clinic = new TestClinic(Host);
        Patient = Clinic.Patient();
        Physio = Clinic.Physio();
        Episode = await Physio.OpenEpisode(patient: Patient, onsetDate: "2026-09-20", cause: "medial-gastrocnemius-strain");
        await (await Physio.Put($"/api/episodes/{Episode}/plan",
            new { restHoursPerDay = 2, iceMinutesPerDay = 20, heatMinutesPerDay = 10, stretchingMinutesPerDay = 10 })).ShouldBe(HttpStatusCode.OK);
        await SixWeekRecovery.LogAll(Patient, Episode);

        var secondToLast = SixWeekRecovery.CheckInFor(SixWeekRecovery.Days - 2);
        secondToLast["notes"] = AwkwardNote;
        await (await Patient.LogCheckIn(Episode, secondToLast)).ShouldBe(HttpStatusCode.Created);
        var last = SixWeekRecovery.CheckInFor(SixWeekRecovery.Days - 1);
        last["swelling"] = "moderate";
        last["calfCircumferenceCm"] = new System.Text.Json.Nodes.JsonObject { ["affected"] = 39.5, ["other"] = 36.0 };
        last["symptoms"] = new System.Text.Json.Nodes.JsonArray("redness");
        last["notes"] = FormulaNote;
        await (await Patient.LogCheckIn(Episode, last)).ShouldBe(HttpStatusCode.Created);

        await (await Patient.Post($"/api/episodes/{Episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(2, 20) })).ShouldBe(HttpStatusCode.Created);
        Clock.Advance(TimeSpan.FromDays(1));
        await (await Patient.Post($"/api/episodes/{Episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(3, 20) })).ShouldBe(HttpStatusCode.Created);
        var wells = await (await Physio.Put($"/api/episodes/{Episode}/wells-exam", new
        {
            deepVeinTenderness = false,
            pittingOedema = false,
            collateralVeins = false,
            alternativeDiagnosisAsLikely = true,
        })).ShouldBe(HttpStatusCode.OK);
        Assert.False(wells["score"]!["dvtLikely"]!.GetValue<bool>());

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    public async Task<IReadOnlyList<string>> OpenAlertTitles() =>
        (await Physio.GetJson($"/api/episodes/{Episode}/alerts"))["alerts"]!.AsArray()
            .Where(a => a!["status"]!.GetValue<string>() is "open" or "acknowledged")
            .Select(a => a!["title"]!.GetValue<string>())
            .ToList();
}

[CollectionDefinition(nameof(ExportCollection))]
public sealed class ExportCollection : ICollectionFixture<ExportedEpisode>;
