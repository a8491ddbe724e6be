using System.Net;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Infrastructure;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Dashboard;

public sealed class TriageTests
{
    private static readonly DateOnly Today = Onset.AddDays(10);

    [Fact]
    public void Patients_are_ordered_emergency_urgent_worsening_missed_check_ins_then_the_rest()
    {
        var settling = Triaged(Day(7, 5), Day(8, 4), Day(9, 3), Day(10, 2));
        var quiet = Triaged(Day(6, 3), Day(7, 3));
        var worsening = Triaged(Day(7, 2), Day(8, 2), Day(9, 2), Day(10, 6));
        var clot = Triaged(Day(10, 4, Swelling.Moderate, symptoms: Symptom.Warmth));
        var breathless = Triaged(Day(10, 6, symptoms: Symptom.ShortnessOfBreath));

        var rows = Triage.Order(new[] { settling, quiet, worsening, clot, breathless }.Select(t => Triage.Row(t.Source, Today)));

        Assert.Equal([breathless.Id, clot.Id, worsening.Id, quiet.Id, settling.Id], rows.Select(r => r.EpisodeId));
        Assert.Equal([TriageGroup.Emergency, TriageGroup.Urgent, TriageGroup.Worsening, TriageGroup.MissedCheckIns, TriageGroup.Others], rows.Select(r => r.Triage));
    }

    [Fact]
    public void Patients_alike_in_group_alerts_and_pain_keep_one_order_whatever_order_their_rows_are_read_in()
    {
        var alike = Enumerable.Range(0, 6).Select(_ => Triaged(Day(9, 3), Day(10, 3))).ToList();
        var rows = alike.Select(t => Triage.Row(t.Source, Today)).ToList();

        var once = Triage.Order(rows).Select(r => r.EpisodeId);
        var reversed = Triage.Order(Enumerable.Reverse(rows)).Select(r => r.EpisodeId);

        Assert.Equal(once, reversed);
    }

    [Fact]
    public void The_sparkline_covers_the_last_14_days_with_gaps_for_missed_days()
    {
        var triage = Triaged(Day(10, 3), Day(8, 5)); // a backfilled day slots into place

        var row = Triage.Row(triage.Source, Today);

        Assert.Equal(14, row.Sparkline.Count);
        Assert.Equal([5, null, 3], row.Sparkline.TakeLast(3));
        Assert.Equal(11, row.DayOfRecovery);
        Assert.Equal(3, row.LatestPain);
    }

    [Fact]
    public void A_resolved_alert_no_longer_decides_the_group_and_a_correction_replaces_the_day()
    {
        var triage = Triaged(Day(9, 2), Day(10, 6, symptoms: Symptom.ShortnessOfBreath));
        var alert = Assert.Single(triage.Source.OpenAlerts);

        PatientTriageProjection.Apply(new AlertResolved(triage.Id, alert.Id, Guid.NewGuid(), "seen in A&E: muscular", DateTimeOffset.UnixEpoch), triage);
        PatientTriageProjection.Apply(new CheckInCorrected(triage.Id, Day(10, 1)), triage);
        var row = Triage.Row(triage.Source, Today);

        Assert.Empty(row.OpenAlerts);
        Assert.Equal(TriageGroup.Others, row.Triage);
        Assert.Equal([2, 1], row.Sparkline.TakeLast(2));
    }

    /// <summary>The dashboard document of an episode after these check-ins, folded from the events the real decision produces.</summary>
    private static PatientTriage Triaged(params CheckIn[] days)
    {
        var episode = Episode();
        var triage = PatientTriageProjection.Create(new EpisodeOpened(
            episode.Id, episode.PatientId, episode.Side, episode.SuspectedCause, episode.OnsetDate, episode.TimeZone, episode.RiskFactors, episode.OpenedAt));
        foreach (var e in episode.Log(days).SelectMany(outcome => outcome.Events)) PatientTriageProjection.Apply((dynamic)e, triage);
        return triage;
    }
}

[Collection(nameof(ApiCollection))]
public sealed class DashboardOverHttpTests(ApiHost api)
{
    [Fact]
    public async Task A_physio_sees_only_their_own_open_patients_and_the_clinic_admin_sees_the_clinic()
    {
        var clinic = new TestClinic(api);
        var anna = clinic.Physio();
        var ben = clinic.Physio();
        var annasPatient = clinic.Patient();
        var annasEpisode = await anna.OpenEpisode(patient: annasPatient);
        var bensEpisode = await ben.OpenEpisode(patient: clinic.Patient());
        var closed = await anna.OpenEpisode(patient: clinic.Patient());
        await anna.Post($"/api/episodes/{closed}/close", new { reason = "recovered" });
        await annasPatient.LogCheckIn(annasEpisode, TestUser.CheckIn("2026-11-02", pain: 6, with: new { symptoms = new[] { "chest-pain" } }));

        var annas = (await anna.GetJson("/api/dashboard"))["patients"]!.AsArray();
        var clinics = (await clinic.Admin().GetJson("/api/dashboard"))["patients"]!.AsArray();

        var row = Assert.Single(annas)!;
        Assert.Equal(annasEpisode, row["episodeId"]!.GetValue<Guid>());
        Assert.Equal("emergency", row["triage"]!.GetValue<string>());
        Assert.Equal("emergency", row["openAlerts"]![0]!["severity"]!.GetValue<string>());
        Assert.Equal(6, row["latestPain"]!.GetValue<int>());
        Assert.Equal([annasEpisode, bensEpisode], clinics.Select(r => r!["episodeId"]!.GetValue<Guid>()));
        Assert.Equal(HttpStatusCode.Forbidden, (await annasPatient.Get("/api/dashboard")).StatusCode);
    }
}
