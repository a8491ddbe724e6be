using System.Net;
using CalfPainTracker.Notifications;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.Notifications;

public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("0.0.0.0", false)]
    [InlineData("0.1.2.3", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.9", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)] // the cloud's metadata service
    [InlineData("100.64.0.1", false)]
    [InlineData("100.127.255.254", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("192.0.2.10", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::127.0.0.1", false)] // IPv4-compatible
    [InlineData("64:ff9b::a00:1", false)] // NAT64 of 10.0.0.1
    [InlineData("2002:c0a8:101::1", false)] // 6to4 of 192.168.1.1
    [InlineData("2001:db8::1", false)]
    [InlineData("93.184.215.14", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::808:808", true)]
    public void Only_public_internet_addresses_may_receive_webhooks(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookTarget.IsPublic(IPAddress.Parse(address)));
}

/// <summary>Against the service without <c>Notifications:AllowPrivateAddresses</c>, as in production.</summary>
[Collection(nameof(ApiCollection))]
public sealed class WebhookTargetTests(ApiHost api)
{
    private const string Secret = "a-secret-the-clinic-shares-with-us";
    private readonly TestClinic _clinic = new(api);

    [Theory]
    [InlineData("http://0.0.0.0:9/")]
    [InlineData("http://127.0.0.1:5432/")]
    [InlineData("http://localhost:8080/hook")] // a name, resolved before it is accepted
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://no-such-host.invalid/hook")]
    public async Task A_webhook_to_an_internal_address_or_a_name_that_does_not_resolve_is_refused(string url)
    {
        var response = await _clinic.Admin().Post("/api/webhooks", new { url, secret = Secret, events = new[] { "alert.raised" } });

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["url"]);
    }

    [Fact]
    public async Task A_webhook_to_a_public_address_is_accepted()
    {
        var response = await _clinic.Admin().Post("/api/webhooks", new { url = "https://93.184.215.14/calfpain", secret = Secret, events = new[] { "alert.raised" } });

        await response.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_delivery_whose_host_now_resolves_to_an_internal_address_is_refused_at_connection_and_logged_as_a_category()
    {
        // Stored directly, as a webhook accepted when its name still resolved to a public address.
        await using var receiver = await WebhookReceiver.Start();
        var webhook = new Webhook
        {
            Id = Guid.NewGuid(), Url = new Uri(receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)), Secret = Secret,
            Events = ["alert.raised"], CreatedBy = Guid.NewGuid(), CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var session = api.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession(_clinic.Id.ToString()))
        {
            session.Store(webhook);
            await session.SaveChangesAsync();
        }
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { symptoms = new[] { "chest-pain" } }))).ShouldBe(HttpStatusCode.Created);

        var delivery = await DeadLettered(webhook.Id);
        Assert.Equal("refused: address not allowed", delivery["lastError"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.Empty(receiver.Requests);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> DeadLettered(Guid webhook)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var deliveries = (await _clinic.Admin().GetJson($"/api/webhooks/{webhook}/deliveries"))["deliveries"]!.AsArray();
            if (deliveries.FirstOrDefault(d => d!["status"]!.GetValue<string>() == "dead-lettered") is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The delivery was never dead-lettered.");
    }
}
