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

    [Theory]
    [InlineData("{\"painLevel\": [[[", "painLevel", "'painLevel' must be a whole number.")]
    [InlineData("{\"painLevel\": tru}", "painLevel", "'painLevel' is not valid JSON.")]
    [InlineData("{\"calfCircumferenceCm\": 38}", "calfCircumferenceCm", "'calfCircumferenceCm' must be an object.")]
    [InlineData("{\"checkInId\": \"not-a-uuid\"}", "checkInId", "'checkInId' must be a UUID.")]
    [InlineData("{\"painLevel\": \"seven\"}", "painLevel", "'painLevel' must be a whole number.")]
    [InlineData("{\"painLevel\": 7.5}", "painLevel", "'painLevel' must be a whole number.")]
    [InlineData("{\"canWalkComfortably\": \"yes\"}", "canWalkComfortably", "'canWalkComfortably' must be true or false.")]
    [InlineData("{\"symptoms\": \"chest-pain\"}", "symptoms", "'symptoms' must be a list.")]
    [InlineData("{\"symptoms\": [\"fever\", 3]}", "symptoms[1]", "'symptoms[1]' must be text in double quotes.")]
    [InlineData("[1, 2]", "body", "The request body must be an object.")]
    [InlineData("", "body", "The request body is not valid JSON.")]
    public async Task A_malformed_body_says_which_field_and_what_was_wrong_in_the_contracts_words(string body, string field, string message)
    {
        var patient = _clinic.Patient();
        var episode = await patient.OpenEpisode();

        var response = await patient.Client().PostAsync($"/api/episodes/{episode}/check-ins", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.Equal(message, Assert.Single(problem["errors"]![field]!.AsArray())!.GetValue<string>());
        var text = problem.ToJsonString();
        Assert.DoesNotContain("CalfPainTracker", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_body_on_another_route_is_explained_the_same_way()
    {
        var response = await _clinic.Admin().Client().PostAsync("/api/webhooks", new StringContent("{\"url\": 42}", Encoding.UTF8, "application/json"));

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.Equal("'url' must be text in double quotes.", problem["errors"]!["url"]![0]!.GetValue<string>());
    }
}

public sealed class SecurityConfigurationTests
{
    [Theory]
    [InlineData("Jwt:SigningKey", "", "Jwt:SigningKey is missing")]
    [InlineData("Jwt:SigningKey", "development-only-signing-key-never-use-in-production-0123456789", "Jwt:SigningKey is a sample key")]
    [InlineData("Jwt:SigningKey", "compose-local-signing-key-change-me-0123456789", "Jwt:SigningKey is a sample key")]
    [InlineData("PublicUrl", "", "PublicUrl is not set")]
    public async Task The_service_refuses_to_start_in_production_without_a_key_of_its_own_and_its_public_url(string key, string value, string reason)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_nokey", TimeProvider.System,
                builder => builder.UseSetting(key, value));
        });

        Assert.Contains(reason, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_beyond_the_per_user_limit_get_429_and_other_users_are_unaffected()
    {
        var clock = ApiHost.TestClock();
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
