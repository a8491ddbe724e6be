using System.Net;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Notifications;

[Collection(nameof(ApiCollection))]
public sealed class LiveEventsTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    private sealed record ServerSentEvent(string Id, string Type, JsonNode Data);

    [Fact]
    public async Task Two_physiotherapists_connected_each_receive_only_their_own_patients_events()
    {
        var (annasPatient, annasEpisode, anna) = await PatientOfNewPhysio();
        var (bensPatient, bensEpisode, ben) = await PatientOfNewPhysio();
        using var annasStream = await Connect(anna);
        using var bensStream = await Connect(ben);

        await annasPatient.LogCheckIn(annasEpisode, TestUser.CheckIn("2026-11-01", with: new { painAtNight = true }));
        await bensPatient.LogCheckIn(bensEpisode, TestUser.CheckIn("2026-11-01", pain: 2));

        var toAnna = await Read(annasStream, until: e => e.Type == "alert_raised");
        var toBen = await Read(bensStream, until: e => e.Type == "check_in_logged");
        Assert.All(toAnna, e => Assert.Equal(annasEpisode, e.Data["episodeId"]!.GetValue<Guid>()));
        Assert.All(toBen, e => Assert.Equal(bensEpisode, e.Data["episodeId"]!.GetValue<Guid>()));
        Assert.Contains(toAnna, e => e.Type == "check_in_logged");
        Assert.Equal("pain-at-night-or-rest", toAnna.Single(e => e.Type == "alert_raised").Data["data"]!["rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_reconnect_with_last_event_id_resumes_without_gaps()
    {
        var (patient, episode, physio) = await PatientOfNewPhysio();
        using (var first = await Connect(physio))
        {
            await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-30", pain: 5));
            var seen = await Read(first, until: e => e.Type == "check_in_logged");
            var lastId = seen[^1].Id;

            // While disconnected, two more days are logged.
            first.Dispose();
            await patient.LogCheckIn(episode, TestUser.CheckIn("2026-10-31", pain: 4));
            await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", pain: 3));

            using var resumed = await Connect(physio, lastId);
            var missed = await Read(resumed, until: e => e.Type == "check_in_logged" && e.Data["data"]!["checkIn"]!["day"]!.GetValue<string>() == "2026-11-01");
            Assert.Equal(["2026-10-31", "2026-11-01"], missed.Where(e => e.Type == "check_in_logged").Select(e => e.Data["data"]!["checkIn"]!["day"]!.GetValue<string>()));
            Assert.All(missed, e => Assert.True(long.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(lastId, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private async Task<(TestUser Patient, Guid Episode, TestUser Physio)> PatientOfNewPhysio()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        return (patient, await physio.OpenEpisode(patient: patient), physio);
    }

    private static async Task<StreamReader> Connect(TestUser user, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/dashboard/stream");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await user.Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new StreamReader(await response.Content.ReadAsStreamAsync());
    }

    private static async Task<List<ServerSentEvent>> Read(StreamReader stream, Func<ServerSentEvent, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<ServerSentEvent>();
        string? id = null, type = null;
        while (true)
        {
            var line = await stream.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var e = new ServerSentEvent(id!, type!, JsonNode.Parse(line[6..])!);
                events.Add(e);
                if (until(e)) return events;
            }
        }
    }
}
