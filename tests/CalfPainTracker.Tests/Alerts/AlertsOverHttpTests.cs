using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.Alerts;

[Collection(nameof(ApiCollection))]
public sealed class AlertsOverHttpTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    [Fact]
    public async Task A_patient_who_reports_breathlessness_is_told_to_call_emergency_services_in_the_check_in_response()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var body = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 6,
            with: new { swelling = "moderate", symptoms = new[] { "shortness-of-breath" } }))).ShouldBe(HttpStatusCode.Created);

        var alerts = body["alerts"]!.AsArray();
        var emergency = Assert.Single(alerts, a => a!["rule"]!.GetValue<string>() == "possible-clot-in-lungs")!;
        Assert.Equal("emergency", emergency["severity"]!.GetValue<string>());
        Assert.Contains("Call 999", emergency["advice"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(emergency["source"]!.GetValue<string>()));
        Assert.Contains("does not diagnose", body["disclaimer"]!.GetValue<string>(), StringComparison.Ordinal);

        var events = await api.Events(_clinic.Id, episode);
        Assert.Contains(events, e => e.Data is AlertRaised { Rule: AlertRule.PossibleClotInLungs });
    }

    [Fact]
    public async Task Given_a_post_operative_patient_with_a_3_5_cm_difference_when_she_logs_swelling_then_her_physio_sees_an_urgent_clot_alert()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, riskFactors: new { bedriddenOrRecentSurgery = true });

        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 5,
            with: new { swelling = "moderate", calfCircumferenceCm = new { affected = 39.5, other = 36.0 } }));

        var alerts = (await physio.GetJson($"/api/episodes/{episode}/alerts"))["alerts"]!.AsArray();
        var clot = Assert.Single(alerts, a => a!["rule"]!.GetValue<string>() == "possible-clot")!;
        Assert.Equal("urgent", clot["severity"]!.GetValue<string>());
        Assert.Equal(2, clot["partialWells"]!["score"]!.GetValue<int>());
        Assert.Equal("open", clot["status"]!.GetValue<string>());
        Assert.Equal(["2026-11-01"], clot["evidence"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public async Task The_physio_acknowledges_then_resolves_an_alert_with_a_note()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);
        var logged = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { canWalkComfortably = false }))).ShouldBe(HttpStatusCode.Created);
        var alertId = logged["alerts"]![0]!["id"]!.GetValue<Guid>();

        var acknowledged = await (await physio.Post($"/api/alerts/{alertId}/acknowledge", new { })).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("acknowledged", acknowledged["status"]!.GetValue<string>());
        await (await physio.Post($"/api/alerts/{alertId}/resolve", new { note = "" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        var resolved = await (await physio.Post($"/api/alerts/{alertId}/resolve", new { note = "Crutches for a week" })).ShouldBe(HttpStatusCode.OK);

        Assert.Equal("resolved", resolved["status"]!.GetValue<string>());
        await (await physio.Post($"/api/alerts/{alertId}/resolve", new { note = "again" })).ShouldBeProblem(HttpStatusCode.Conflict);
        var listed = (await patient.GetJson($"/api/episodes/{episode}/alerts"))["alerts"]![0]!;
        Assert.Equal("Crutches for a week", listed["resolutionNote"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_physio_records_the_wells_examination_and_gets_the_full_score()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, riskFactors: new { previousDvt = true });
        await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { swelling = "mild" }));

        var result = await (await physio.Put($"/api/episodes/{episode}/wells-exam",
            new { deepVeinTenderness = true, pittingOedema = true, collateralVeins = false, alternativeDiagnosisAsLikely = false })).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(3, result["score"]!["score"]!.GetValue<int>());
        Assert.True(result["score"]!["dvtLikely"]!.GetValue<bool>());
        Assert.Contains(await api.Events(_clinic.Id, episode), e => e.Data is WellsExamRecorded { Score.Score: 3 });
        await (await physio.Put($"/api/episodes/{episode}/wells-exam", new { deepVeinTenderness = true })).ShouldBeProblem(HttpStatusCode.BadRequest);
    }
}

public sealed class AlertEscalationTests
{
    [Fact]
    public async Task An_urgent_alert_nobody_acknowledges_is_escalated_to_the_clinic_by_a_durable_scheduled_message()
    {
        var clock = TimeProvider.System;
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_escalation", clock,
            builder => builder.UseSetting("ClinicalRules:EscalateAfter", "00:00:01"));
        var clinic = Guid.NewGuid();
        var patient = new CalfPainTracker.Security.Caller(Guid.NewGuid(), CalfPainTracker.Security.Role.Patient, clinic);
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CalfPainTracker.Security.DevelopmentToken.Mint(ApiHost.Jwt, patient, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        var today = PatientCalendar.DaysAgo(0, ApiProcess.Zone);
        var episode = await ApiProcess.OpenEpisode(client, today, "achilles-rupture");

        await (await client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins",
            TestUser.CheckIn(today, pain: 7, with: new { symptoms = new[] { "cannot-stand-on-tiptoe" } }), TestUser.Json)).ShouldBe(HttpStatusCode.Created);

        var store = host.Services.GetRequiredService<IDocumentStore>();
        AlertEscalatedToClinic? escalated = null;
        for (var attempt = 0; attempt < 100 && escalated is null; attempt++)
        {
            await Task.Delay(200);
            await using var session = store.QuerySession(clinic.ToString());
            escalated = (await session.Events.FetchStreamAsync(episode)).Select(e => e.Data).OfType<AlertEscalatedToClinic>().SingleOrDefault();
        }
        Assert.NotNull(escalated);
    }
}
