using System.Net;
using System.Net.Http.Headers;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Reliability;

[Collection(nameof(ApiCollection))]
public sealed class BadInputTests(ApiHost api)
{
    /// <summary>The in-suite sweep is 2,000 requests; scripts/chaos sets CALFPAIN_CHAOS_REQUESTS=10000.</summary>
    private static readonly int Requests = int.TryParse(Environment.GetEnvironmentVariable("CALFPAIN_CHAOS_REQUESTS"), out var n) ? n : 2_000;

    [Fact]
    public async Task Thousands_of_malformed_requests_get_a_problem_each_no_5xx_and_write_no_event()
    {
        var clinic = new TestClinic(api);
        var patient = clinic.Patient();
        var episode = await patient.OpenEpisode();
        var before = (await api.Events(clinic.Id, episode)).Count;
        var client = api.Host.Server.CreateClient();
        var answers = new Dictionary<int, int>();

        foreach (var request in MalformedRequests.Generate(episode, "2026-11-01", Requests, seed: 20261125))
        {
            using var message = new HttpRequestMessage(request.Method, request.Path);
            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType!);
            }
            var token = request.WithToken ? patient.Token() : request.Token;
            if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

            using var response = await client.SendAsync(message);
            var status = (int)response.StatusCode;
            answers[status] = answers.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"{request.Kind}: got {status} {await response.Content.ReadAsStringAsync()}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"{request.Kind}: {status} answered as {response.Content.Headers.ContentType} {await response.Content.ReadAsStringAsync()}");
        }

        Directory.CreateDirectory(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresServer.RepositoryRoot(), "TestResults", "bad-input-results.json"),
            System.Text.Json.JsonSerializer.Serialize(new { requests = Requests, answers = answers.OrderBy(a => a.Key).ToDictionary(a => a.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), a => a.Value) }));
        Assert.Equal(before, (await api.Events(clinic.Id, episode)).Count);
        Assert.True(answers.Keys.Count >= 4, $"Expected a spread of 4xx answers, got {string.Join(", ", answers)}");
    }

    [Fact]
    public async Task A_note_that_looks_like_sql_or_script_is_stored_as_plain_text()
    {
        var patient = new TestClinic(api).Patient();
        var episode = await patient.OpenEpisode();
        const string note = "'); DROP TABLE calfpain.mt_events; -- <script>alert('x')</script>";

        await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { notes = note }))).ShouldBe(HttpStatusCode.Created);

        var days = await patient.GetJson($"/api/episodes/{episode}/check-ins");
        Assert.Equal(note, days["days"]![0]!["notes"]!.GetValue<string>());
    }
}
