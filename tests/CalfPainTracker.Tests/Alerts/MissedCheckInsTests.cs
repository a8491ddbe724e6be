using System.Net;
using System.Net.Http.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;
using Wolverine.Tracking;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Alerts;

public sealed class MissedCheckInsRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_check_in_after_the_check_was_scheduled_cancels_it()
    {
        var episode = Episode();
        episode.Log(Day(1, 4, atNight: true), Day(2, 4));

        Assert.Empty(MissedCheckIns.Decide(episode, new(episode.Id, Onset.AddDays(1), 4), Now, Guid.NewGuid));
    }

    [Fact]
    public void Four_days_without_a_check_in_tells_the_physio_only_when_an_alert_is_open()
    {
        var quiet = Episode();
        quiet.Log(Day(1, 3));
        Assert.Empty(MissedCheckIns.Decide(quiet, new(quiet.Id, Onset.AddDays(1), 4), Now, Guid.NewGuid));

        var worrying = Episode();
        worrying.Log(Day(1, 3, atNight: true));
        var raised = Assert.IsType<AlertRaised>(Assert.Single(MissedCheckIns.Decide(worrying, new(worrying.Id, Onset.AddDays(1), 4), Now, Guid.NewGuid)));
        Assert.Equal((AlertRule.MissedCheckIns, Severity.Advice), (raised.Rule, raised.Severity));
    }

    [Fact]
    public void A_closed_episode_is_not_followed_up()
    {
        var episode = Episode();
        episode.Log(Day(1, 3, atNight: true));
        episode.Apply(new EpisodeClosed(episode.Id, CloseReason.Recovered, Now));

        Assert.Empty(MissedCheckIns.Decide(episode, new(episode.Id, Onset.AddDays(1), 4), Now, Guid.NewGuid));
    }

    [Fact]
    public void A_check_in_while_the_episodes_check_is_still_to_come_schedules_no_other()
    {
        var episode = Episode();
        episode.Log(Day(1, 3));

        // The pending check counts from 2 Oct and comes due on 7 Oct; a check-in on 3 Oct leaves it to find the new day.
        Assert.Null(MissedCheckIns.Schedule(episode, Onset.AddDays(2), new DateTimeOffset(2026, 10, 3, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Once_the_check_has_run_the_next_check_in_schedules_one_from_its_day()
    {
        var episode = Episode();
        episode.Log(Day(1, 3));
        var now = new DateTimeOffset(2026, 10, 9, 12, 0, 0, TimeSpan.Zero);

        var scheduled = Assert.IsType<DeliveryMessage<CheckForMissedCheckIns>>(MissedCheckIns.Schedule(episode, Onset.AddDays(8), now));

        Assert.Equal(new CheckForMissedCheckIns(episode.Id, Onset.AddDays(8), 4), scheduled.Message);
        // A check-in backfilled before the latest day schedules nothing: its check would have come due before the one that ran.
        Assert.Null(MissedCheckIns.Schedule(episode, Onset, now));
        // Due at the patient's midnight once four whole days after the 9th have passed: 14 Oct 00:00 in London (BST), 13 Oct 23:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 10, 13, 23, 0, 0, TimeSpan.Zero) - now, scheduled.Options.ScheduleDelay);
    }
}

[Collection(nameof(ApiCollection))]
public sealed class MissedCheckInsScheduleTests(ApiHost api)
{
    [Fact]
    public async Task A_check_in_schedules_a_durable_check_for_local_midnight_four_days_later_that_tells_the_physio_if_an_alert_is_open()
    {
        var clinic = new TestClinic(api);
        var patient = clinic.Patient();
        var episode = await patient.OpenEpisode();
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { painAtNight = true }))).ShouldBe(HttpStatusCode.Created);

        // Europe/London is on GMT in November: 6 Nov 00:00 local is 00:00 UTC, 3 days 15 h after the test clock's 2 Nov 09:00.
        // (Opening the episode scheduled the same check, counted from the day before it opened.)
        var scheduled = await ScheduledChecks(episode);
        Assert.Contains(scheduled, due => Near(due, DateTimeOffset.UtcNow.AddHours(87)));

        // When the check comes due it runs the real handler against the event store.
        await api.Host.InvokeMessageAndWaitAsync(new CheckForMissedCheckIns(episode, new DateOnly(2026, 11, 1), 4), clinic.Id.ToString());

        var raised = Assert.Single((await api.Events(clinic.Id, episode)).Select(e => e.Data).OfType<AlertRaised>(), a => a.Rule == AlertRule.MissedCheckIns);
        Assert.Equal(Severity.Advice, raised.Severity);
    }

    [Fact]
    public async Task An_episode_holds_one_pending_check_however_often_the_patient_checks_in_and_the_check_moves_itself_to_the_latest_day()
    {
        var clinic = new TestClinic(api);
        var patient = clinic.Patient();
        var episode = await patient.OpenEpisode();
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { painAtNight = true }))).ShouldBe(HttpStatusCode.Created);
        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-02"))).ShouldBe(HttpStatusCode.Created);

        // The check opening scheduled (from 1 Nov, due 6 Nov 00:00) is the only one.
        Assert.Single(await ScheduledChecks(episode));

        // When it comes due it finds 2 Nov and schedules itself from there: 7 Nov 00:00 London, 4 days 15 h after the test clock.
        // A duplicate of the same check finds it already moved and schedules nothing.
        var check = new CheckForMissedCheckIns(episode, new DateOnly(2026, 11, 1), 4);
        await api.Host.InvokeMessageAndWaitAsync(check, clinic.Id.ToString());
        await api.Host.InvokeMessageAndWaitAsync(check, clinic.Id.ToString());

        Assert.Single(await ScheduledChecks(episode), due => Near(due, DateTimeOffset.UtcNow.AddHours(111)));
        Assert.DoesNotContain((await api.Events(clinic.Id, episode)).Select(e => e.Data).OfType<AlertRaised>(), a => a.Rule == AlertRule.MissedCheckIns);
    }

    [Fact]
    public async Task Opening_an_episode_schedules_its_first_check_and_reminder_under_the_requests_correlation_id()
    {
        var clinic = new TestClinic(api);
        var client = clinic.Patient().Client();
        // Not plain, so the service chooses the request's own id; the raw header must not reach the messages either.
        var supplied = $"open {Guid.NewGuid():N}";
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Correlation-Id", supplied);

        var response = await client.PostAsJsonAsync("/api/episodes",
            new { side = "left", suspectedCause = "calf-strain", onsetDate = "2026-10-26", timeZone = TestUser.Zone }, TestUser.Json);
        var episode = (await response.ShouldBe(HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        var chosen = response.Headers.GetValues("X-Correlation-Id").Single();

        // Both durable messages carry the id the request's events carry, so a support engineer can follow one opening end to end.
        Assert.NotEqual(supplied, chosen);
        Assert.Single(await ScheduledChecks(episode));
        Assert.Equal(["CheckForMissedCheckIns", "RemindToCheckIn"], await ScheduledUnder(episode, chosen));
        Assert.Empty(await ScheduledUnder(episode, supplied));
    }

    /// <summary>The names of the messages scheduled for the episode whose envelope holds <paramref name="correlationId"/>.</summary>
    private static async Task<List<string>> ScheduledUnder(Guid episode, string correlationId) =>
        [.. (await EventStore.ScheduledFor(await PostgresServer.ConnectionString, "calfpain_tests", episode))
            .Where(m => m.Envelope.Contains(correlationId, StringComparison.Ordinal)).Select(m => m.Type)];

    private static bool Near(DateTimeOffset actual, DateTimeOffset expected) => (actual - expected).Duration() < TimeSpan.FromMinutes(5);

    /// <summary>When the durable inbox will run this episode's missed-check-in checks.</summary>
    private static async Task<List<DateTimeOffset>> ScheduledChecks(Guid episode) =>
        [.. (await EventStore.ScheduledFor(await PostgresServer.ConnectionString, "calfpain_tests", episode))
            .Where(m => m.Type == nameof(CheckForMissedCheckIns)).Select(m => m.RunsAt)];
}
