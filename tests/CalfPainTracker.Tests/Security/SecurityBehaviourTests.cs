using System.Net;
using System.Net.Http.Json;
using System.Text;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace CalfPainTracker.Tests.Security;

[Collection(nameof(ApiCollection))]
public sealed class SecurityBehaviourTests(ApiHost api)
{
    private readonly TestClinic _clinic = new(api);

    [Fact]
    public async Task Every_event_records_who_wrote_it_their_role_and_the_correlation_id_of_the_request()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var client = patient.Client();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", "app-retry-42");

        var response = await client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn("2026-11-01"), TestUser.Json);

        Assert.Equal("app-retry-42", response.Headers.GetValues("X-Correlation-Id").Single());
        var logged = (await api.Events(_clinic.Id, episode))[^1];
        Assert.Equal(patient.Id.ToString(), logged.UserName);
        Assert.Equal("patient", logged.Headers!["role"]!.ToString());
        Assert.Equal("app-retry-42", logged.CorrelationId);
    }

    [Fact]
    public async Task A_clinicians_read_of_a_patients_record_is_audited_and_listed_for_the_clinic_admin()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient);

        await patient.GetJson($"/api/episodes/{episode}");
        await physio.GetJson($"/api/episodes/{episode}/check-ins");

        var audit = await _clinic.Admin().GetJson($"/api/audit/record-access?patientId={patient.Id}");
        var access = Assert.Single(audit["accesses"]!.AsArray());
        Assert.Equal(physio.Id, access!["userId"]!.GetValue<Guid>());
        Assert.Equal("physio", access["role"]!.GetValue<string>());
        Assert.Equal("check-ins", access["what"]!.GetValue<string>());
        Assert.Equal(episode, access["episodeId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();
        var huge = new StringContent("{\"notes\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json");

        var response = await patient.Client().PostAsync($"/api/episodes/{episode}/check-ins", huge);

        await response.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Single(await api.Events(_clinic.Id, episode));
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_health_data_is_never_cached()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var response = await patient.Get($"/api/episodes/{episode}");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_body_is_answered_without_a_stack_trace()
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var response = await patient.Client().PostAsync($"/api/episodes/{episode}/check-ins",
            new StringContent("{\"painLevel\": [[[", Encoding.UTF8, "application/json"));

        var text = (await response.ShouldBeProblem(HttpStatusCode.BadRequest)).ToJsonString();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }
}

public sealed class SecurityConfigurationTests
{
    [Fact]
    public async Task The_service_refuses_to_start_in_production_without_a_signing_key()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_nokey", TimeProvider.System,
                builder => builder.UseSetting("Jwt:SigningKey", ""));
        });

        Assert.Contains("Jwt:SigningKey", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_beyond_the_per_user_limit_get_429_and_other_users_are_unaffected()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_ratelimit", clock,
            builder => builder.UseSetting("Security:WritesPerMinutePerUser", "3"));
        var clinic = Guid.NewGuid();
        var noisy = Client(host, new CalfPainTracker.Security.Caller(Guid.NewGuid(), CalfPainTracker.Security.Role.Patient, clinic));
        var quiet = Client(host, new CalfPainTracker.Security.Caller(Guid.NewGuid(), CalfPainTracker.Security.Role.Patient, clinic));
        var episode = new { side = "left", suspectedCause = "cramps", onsetDate = "2026-11-01", timeZone = "UTC" };

        var first = await noisy.PostAsJsonAsync("/api/episodes", episode);
        var answers = new List<HttpStatusCode> { first.StatusCode };
        for (var i = 0; i < 2; i++) answers.Add((await noisy.PostAsJsonAsync("/api/episodes", episode)).StatusCode);
        var limited = await noisy.PostAsJsonAsync("/api/episodes", episode);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], answers);
        await limited.ShouldBeProblem(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await noisy.GetAsync(first.Headers.Location)).StatusCode); // reads are never limited
        Assert.Equal(HttpStatusCode.Created, (await quiet.PostAsJsonAsync("/api/episodes", episode)).StatusCode);
    }

    private static HttpClient Client(Alba.IAlbaHost host, CalfPainTracker.Security.Caller caller)
    {
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", CalfPainTracker.Security.DevelopmentToken.Mint(ApiHost.Jwt, caller, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        return client;
    }
}
