using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Notifications;

namespace CalfPainTracker.Tests.Notifications;

/// <summary>What goes at once, what waits for the digest, what a digest lists and when it is due: pure.</summary>
public sealed class DailyDigestTests
{
    private const string Clinic = "clinic-1";
    private static readonly Guid Physio = Guid.NewGuid();
    private static readonly DateOnly Day = new(2026, 11, 3);
    private static readonly DateTimeOffset Now = new(2026, 11, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly NotificationSettings Settings = new();

    private static Webhook Hook(params string[] events) => new() { Id = Guid.NewGuid(), Events = [.. events] };

    private static Alert Alert(Severity severity) => new() { Id = Guid.NewGuid(), Severity = severity };

    private static DigestEntry Entry(int minutes, Guid? physio = null) => new()
    {
        Id = Guid.NewGuid(),
        PhysiotherapistId = physio ?? Physio,
        EpisodeId = Guid.NewGuid(),
        PatientId = Guid.NewGuid(),
        Rule = AlertRule.Swelling,
        Severity = Severity.Advice,
        Title = "Swelling of the calf or ankle",
        RaisedAt = Now.AddDays(-1).AddMinutes(minutes),
    };

    private static string Link(Guid episode) => $"https://calfpain.test/api/episodes/{episode}/alerts";

    [Fact]
    public void A_digest_webhook_gets_advice_in_the_digest_but_urgent_emergency_and_a_rise_in_severity_at_once()
    {
        var episode = new Episode { Id = Guid.NewGuid(), PhysiotherapistId = Physio };
        var digest = Hook(WebhookEvents.AlertRaised, WebhookEvents.DigestDaily, WebhookEvents.AlertSeverityRaised);

        Assert.False(DailyDigest.SendsAtOnce(digest, WebhookEvents.AlertRaised, Alert(Severity.Advice), episode));
        Assert.True(DailyDigest.SendsAtOnce(digest, WebhookEvents.AlertRaised, Alert(Severity.Urgent), episode));
        Assert.True(DailyDigest.SendsAtOnce(digest, WebhookEvents.AlertRaised, Alert(Severity.Emergency), episode));
        Assert.True(DailyDigest.SendsAtOnce(digest, WebhookEvents.AlertSeverityRaised, Alert(Severity.Advice), episode));
        Assert.True(DailyDigest.SendsAtOnce(Hook(WebhookEvents.AlertRaised), WebhookEvents.AlertRaised, Alert(Severity.Advice), episode));
    }

    [Fact]
    public void Advice_for_a_patient_without_a_physiotherapist_goes_at_once_having_no_digest_to_wait_for()
    {
        var episode = new Episode { Id = Guid.NewGuid() };
        Assert.True(DailyDigest.SendsAtOnce(Hook(WebhookEvents.AlertRaised, WebhookEvents.DigestDaily), WebhookEvents.AlertRaised, Alert(Severity.Advice), episode));
    }

    [Fact]
    public void A_digest_lists_every_waiting_alert_of_the_physiotherapist_oldest_first_once_per_digest_webhook()
    {
        var late = Entry(30);
        var early = Entry(5);
        var otherPhysio = Entry(10, Guid.NewGuid());
        var webhooks = new[] { Hook(WebhookEvents.DigestDaily), Hook(WebhookEvents.AlertRaised), Hook(WebhookEvents.AlertRaised, WebhookEvents.DigestDaily) };

        var deliveries = DailyDigest.Compose(Clinic, Physio, Day, [late, otherPhysio, early], webhooks, Link, Now);

        Assert.Equal([webhooks[0].Id, webhooks[2].Id], deliveries.Select(d => d.WebhookId));
        Assert.All(deliveries, d =>
        {
            Assert.Equal([early.Id, late.Id], d.Payload.Alerts.Select(a => a.Id));
            Assert.Equal(d.Id, d.Payload.DeliveryId);
            Assert.Equal(WebhookEvents.DigestDaily, d.Payload.Event);
            Assert.Equal(Day, d.Payload.Day);
            Assert.Equal(Link(early.EpisodeId), d.Payload.Alerts[0].Link);
        });
        Assert.NotEqual(deliveries[0].Id, deliveries[1].Id);
    }

    [Fact]
    public void A_day_with_nothing_new_sends_nothing()
    {
        Assert.Empty(DailyDigest.Compose(Clinic, Physio, Day, [], [Hook(WebhookEvents.DigestDaily)], Link, Now));
        Assert.Empty(DailyDigest.Compose(Clinic, Physio, Day, [Entry(1, Guid.NewGuid())], [Hook(WebhookEvents.DigestDaily)], Link, Now));
    }

    [Fact]
    public void The_delivery_id_is_the_same_for_the_same_webhook_physiotherapist_and_day_and_differs_otherwise()
    {
        var webhook = Guid.NewGuid();
        Assert.Equal(DailyDigest.DeliveryId(webhook, Clinic, Physio, Day), DailyDigest.DeliveryId(webhook, Clinic, Physio, Day));
        Assert.NotEqual(DailyDigest.DeliveryId(webhook, Clinic, Physio, Day), DailyDigest.DeliveryId(webhook, Clinic, Physio, Day.AddDays(1)));
        Assert.NotEqual(DailyDigest.DeliveryId(webhook, Clinic, Physio, Day), DailyDigest.DeliveryId(webhook, Clinic, Guid.NewGuid(), Day));
        Assert.NotEqual(DailyDigest.DeliveryId(webhook, Clinic, Physio, Day), DailyDigest.DeliveryId(Guid.NewGuid(), Clinic, Physio, Day));
    }

    [Fact]
    public void The_digest_is_due_at_eight_on_the_clinics_clock_today_if_still_to_come_else_tomorrow_across_a_clock_change()
    {
        Assert.Equal(new DateOnly(2026, 3, 28), DailyDigest.FirstDay(Settings, new DateTimeOffset(2026, 3, 28, 7, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 3, 29), DailyDigest.FirstDay(Settings, new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero)));
        // London's clocks go forward on 29 March 2026: 08:00 that morning is 07:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), DailyDigest.DigestTime(new DateOnly(2026, 3, 28), Settings));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero), DailyDigest.DigestTime(new DateOnly(2026, 3, 29), Settings));
    }
}
