using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Alba;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.Security;

/// <summary>
/// Every endpoint the service exposes, against every kind of caller. The list of endpoints
/// comes from the running service itself, so a new endpoint without a row here fails.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class AuthorisationMatrixTests(ApiHost api, MatrixProviderFixture provider) : IClassFixture<MatrixProviderFixture>
{
    /// <summary>The callers, in the column order of <see cref="Matrix"/>.</summary>
    public enum Who { OwnPatient, AssignedPhysio, ClinicAdmin, OtherPatient, OtherPhysio, OtherClinicAdmin, NoToken, Expired, ForgedSignature, OwnPatientsPhone }

    private sealed record Route(string Expected, Func<Setup, (string Url, object? Body)> Request);

    /// <summary>
    /// What each case starts from: an episode with a check-in that raised an alert, a report link
    /// the patient shared, an unused invitation and the patient's phone, enrolled by another.
    /// </summary>
    public sealed record Setup(Guid Episode, Guid Alert, Guid ReportLink, string ReportToken, Guid Invitation, string InvitationCode, Guid Device, string RefreshToken, string PhoneAccessToken);

    // ownPat assignedPhysio admin otherPat otherPhysio otherClinic noToken expired forged;
    // the patient's phone (a token the service signed) gets what the patient gets.
    private static readonly Dictionary<string, Route> Matrix = new()
    {
        ["POST /api/episodes"] = new("201 400 400 201 400 400 401 401 401", _ => ("/api/episodes", NewEpisode)),
        ["GET /api/episodes/{episodeId}"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}", null)),
        ["PUT /api/episodes/{episodeId}/physiotherapist"] = new("403 204 204 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/physiotherapist", new { physioId = Guid.NewGuid() })),
        ["PUT /api/episodes/{episodeId}/plan"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/plan", Plan)),
        ["POST /api/episodes/{episodeId}/close"] = new("204 204 204 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/close", new { reason = "recovered" })),
        ["GET /api/episodes/{episodeId}/check-ins"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/check-ins", null)),
        ["POST /api/episodes/{episodeId}/check-ins"] = new("201 403 403 404 403 403 401 401 401", e => ($"/api/episodes/{e.Episode}/check-ins", TestUser.CheckIn("2026-11-02"))),
        ["GET /api/episodes/{episodeId}/alerts"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/alerts", null)),
        ["POST /api/alerts/{alertId}/acknowledge"] = new("403 200 200 403 404 404 401 401 401", e => ($"/api/alerts/{e.Alert}/acknowledge", null)),
        ["POST /api/alerts/{alertId}/resolve"] = new("403 200 200 403 404 404 401 401 401", e => ($"/api/alerts/{e.Alert}/resolve", new { note = "Reviewed by phone" })),
        ["PUT /api/episodes/{episodeId}/wells-exam"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/wells-exam", WellsExam)),
        // Tuning is the assigned physiotherapist's alone; any clinician of the episode may read it.
        ["GET /api/episodes/{episodeId}/alert-tuning"] = new("403 200 200 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/alert-tuning", null)),
        ["PUT /api/episodes/{episodeId}/alert-tuning"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/alert-tuning", new { persistentPain = new { minimumPain = 5, days = 4 } })),
        ["DELETE /api/episodes/{episodeId}/alert-tuning"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/alert-tuning", null)),
        ["PUT /api/episodes/{episodeId}/alert-tuning/snoozes/{rule}"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/alert-tuning/snoozes/swelling", new { days = 7, reason = "Compression stocking fitted" })),
        ["DELETE /api/episodes/{episodeId}/alert-tuning/snoozes/{rule}"] = new("403 200 403 403 404 403 401 401 401", e => ($"/api/episodes/{e.Episode}/alert-tuning/snoozes/swelling", null)),
        // Clinician notes are in the timeline, so patients are refused it.
        ["GET /api/episodes/{episodeId}/timeline"] = new("403 200 200 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/timeline", null)),
        ["POST /api/episodes/{episodeId}/notes"] = new("403 201 201 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/notes", new { text = "Phoned: walking better" })),
        ["GET /api/episodes/{episodeId}/trend"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/trend", null)),
        ["POST /api/episodes/{episodeId}/questionnaires/lefs"] = new("201 403 403 404 403 403 401 401 401", e => ($"/api/episodes/{e.Episode}/questionnaires/lefs", new { answers = Enumerable.Repeat(3, 20) })),
        ["POST /api/webhooks"] = new("403 403 400 403 403 400 401 401 401", _ => ("/api/webhooks", new { url = "http://127.0.0.1:9/hook", secret = "0123456789abcdef", events = new[] { "alert.raised" } })),
        ["GET /api/webhooks"] = new("403 403 200 403 403 200 401 401 401", _ => ("/api/webhooks", null)),
        ["DELETE /api/webhooks/{webhookId}"] = new("403 403 404 403 403 404 401 401 401", _ => ($"/api/webhooks/{Guid.NewGuid()}", null)),
        ["GET /api/webhooks/{webhookId}/deliveries"] = new("403 403 404 403 403 404 401 401 401", _ => ($"/api/webhooks/{Guid.NewGuid()}/deliveries", null)),
        ["POST /api/webhooks/{webhookId}/deliveries/{deliveryId}/replay"] = new("403 403 404 403 403 404 401 401 401", _ => ($"/api/webhooks/{Guid.NewGuid()}/deliveries/{Guid.NewGuid()}/replay", null)),
        ["GET /api/dashboard"] = new("403 200 200 403 200 200 401 401 401", _ => ("/api/dashboard", null)),
        ["GET /dashboard"] = new("200 200 200 200 200 200 200 200 200", _ => ("/dashboard", null)),
        ["GET /app"] = new("200 200 200 200 200 200 200 200 200", _ => ("/app", null)),
        // Where the page signs in: public, and no data.
        ["GET /dashboard/sign-in.json"] = new("200 200 200 200 200 200 200 200 200", _ => ("/dashboard/sign-in.json", null)),
        ["GET /api/dashboard/stream"] = new("403 200 200 403 200 200 401 401 401", _ => ("/api/dashboard/stream", null)),
        ["GET /api/episodes/{episodeId}/export/fhir"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/export/fhir", null)),
        ["GET /api/episodes/{episodeId}/export/csv"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/export/csv", null)),
        ["GET /api/episodes/{episodeId}/report.pdf"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/report.pdf", null)),
        ["POST /api/episodes/{episodeId}/report-links"] = new("201 201 201 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/report-links", new { expiresInDays = 7 })),
        ["GET /api/episodes/{episodeId}/report-links"] = new("200 200 200 404 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/report-links", null)),
        // The link is the patient's: the physio may see the episode but not end another's link.
        ["DELETE /api/report-links/{linkId}"] = new("204 403 204 404 404 404 401 401 401", e => ($"/api/report-links/{e.ReportLink}", null)),
        // The token is the credential: whoever holds the link reads the report, signed in or not.
        ["GET /r/{token}"] = new("200 200 200 200 200 200 200 200 200", e => ($"/r/{e.ReportToken}", null)),
        ["GET /api/me/export"] = new("200 403 403 200 403 403 401 401 401", _ => ("/api/me/export", null)),
        ["DELETE /api/me"] = new("200 403 403 200 403 403 401 401 401", _ => ("/api/me", null)),
        ["POST /api/episodes/{episodeId}/invitations"] = new("403 201 201 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/invitations", new { expiresInHours = 24 })),
        ["DELETE /api/invitations/{invitationId}"] = new("403 204 204 403 404 404 401 401 401", e => ($"/api/invitations/{e.Invitation}", null)),
        // The invitation code and the refresh token are the credentials: a bearer token, good or bad, changes nothing.
        ["POST /api/sessions"] = new("201 201 201 201 201 201 201 201 201", e => ("/api/sessions", new { invitationCode = e.InvitationCode })),
        ["POST /api/sessions/refresh"] = new("200 200 200 200 200 200 200 200 200", e => ("/api/sessions/refresh", new { refreshToken = e.RefreshToken })),
        ["GET /api/me/devices"] = new("200 403 403 200 403 403 401 401 401", _ => ("/api/me/devices", null)),
        ["DELETE /api/me/devices/{deviceId}"] = new("204 403 403 404 403 403 401 401 401", e => ($"/api/me/devices/{e.Device}", null)),
        ["GET /api/episodes/{episodeId}/devices"] = new("403 200 200 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/devices", null)),
        ["DELETE /api/episodes/{episodeId}/devices/{deviceId}"] = new("403 204 204 403 404 404 401 401 401", e => ($"/api/episodes/{e.Episode}/devices/{e.Device}", null)),
        // A patient's own browsers; the shared host refuses loopback endpoints, so the patient's answer is the 400 that names it.
        ["POST /api/me/push-subscriptions"] = new("400 403 403 400 403 403 401 401 401", _ => ("/api/me/push-subscriptions", new { endpoint = "https://127.0.0.1/push/1", keys = new { p256dh = "x", auth = "y" } })),
        ["GET /api/me/push-subscriptions"] = new("200 403 403 200 403 403 401 401 401", _ => ("/api/me/push-subscriptions", null)),
        ["DELETE /api/me/push-subscriptions/{subscriptionId}"] = new("404 403 403 404 403 403 401 401 401", _ => ($"/api/me/push-subscriptions/{Guid.NewGuid()}", null)),
        // The key every push message carries in its header anyway; the app needs it before signing in matters.
        ["GET /api/push/public-key"] = new("200 200 200 200 200 200 200 200 200", _ => ("/api/push/public-key", null)),
        ["GET /.well-known/jwks.json"] = new("200 200 200 200 200 200 200 200 200", _ => ("/.well-known/jwks.json", null)),
        ["GET /api/audit/record-access"] = new("403 403 200 403 403 200 401 401 401", _ => ("/api/audit/record-access", null)),
        // Public: a load balancer and a developer reach these without a token.
        ["ANY /health/live"] = new("200 200 200 200 200 200 200 200 200", _ => ("/health/live", null)),
        ["ANY /health/ready"] = new("200 200 200 200 200 200 200 200 200", _ => ("/health/ready", null)),
        ["GET /openapi/{documentName}.json"] = new("200 200 200 200 200 200 200 200 200", _ => ("/openapi/v1.json", null)),
        ["GET /docs/{documentName?}"] = new("200 200 200 200 200 200 200 200 200", _ => ("/docs/v1", null)),
        ["GET /docs/scalar.js"] = new("200 200 200 200 200 200 200 200 200", _ => ("/docs/scalar.js", null)),
        ["GET /docs/scalar.aspnetcore.js"] = new("200 200 200 200 200 200 200 200 200", _ => ("/docs/scalar.aspnetcore.js", null)),
        ["GET /docs/favicon.svg"] = new("200 200 200 200 200 200 200 200 200", _ => ("/docs/favicon.svg", null)),
    };

    private static readonly object NewEpisode = new { side = "right", suspectedCause = "calf-strain", onsetDate = "2026-10-30", timeZone = "Europe/London" };
    private static readonly object WellsExam = new { deepVeinTenderness = true, pittingOedema = false, collateralVeins = false, alternativeDiagnosisAsLikely = false };
    private static readonly object Plan = new { restHoursPerDay = 2, iceMinutesPerDay = 20, heatMinutesPerDay = 0, stretchingMinutesPerDay = 15 };

    public static TheoryData<string, Who> Cases()
    {
        var cases = new TheoryData<string, Who>();
        foreach (var route in Matrix.Keys)
        {
            foreach (var who in Enum.GetValues<Who>()) cases.Add(route, who);
        }
        return cases;
    }

    [Fact]
    public void Every_endpoint_the_service_exposes_has_a_row_in_the_matrix()
    {
        var exposed = api.Host.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();

        Assert.Empty(exposed.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(exposed));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_answer_in_the_matrix(string route, Who who)
    {
        var (clinic, patient, physio, setup) = await Arrange(api.Host);

        var caller = who switch
        {
            Who.OwnPatient => patient,
            Who.AssignedPhysio => physio,
            Who.ClinicAdmin => clinic.Admin(),
            Who.OtherPatient => clinic.Patient(),
            Who.OtherPhysio => clinic.Physio(),
            Who.OtherClinicAdmin => new TestClinic(api).Admin(),
            _ => patient,
        };
        var token = who switch
        {
            Who.NoToken => null,
            Who.Expired => DevelopmentToken.Mint(ApiHost.Jwt, caller.Caller, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1)),
            Who.ForgedSignature => DevelopmentToken.Mint(new JwtSettings { SigningKey = "an-attacker-key-that-is-long-enough-to-sign-with" }, caller.Caller, TimeSpan.FromHours(1), DateTimeOffset.UtcNow),
            Who.OwnPatientsPhone => setup.PhoneAccessToken,
            _ => caller.Token(),
        };

        await Expect(api.Host, route, who, setup, token);
    }

    /// <summary>
    /// A physiotherapist signed in at the clinic's OpenID Connect provider (the suite's OpenIddict
    /// server, its own claim and role names) gets on every route what the shared-key physio gets.
    /// </summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_physio_signed_in_at_the_clinics_provider_gets_the_assigned_physios_answer(string route)
    {
        var (clinic, _, physio, setup) = await Arrange(provider.Host);
        var token = await provider.Provider.Token(new TestIdentityProvider.Staff(physio.Id, clinic.Id, "Staff", TestIdentityProvider.PhysioRole));

        await Expect(provider.Host, route, Who.AssignedPhysio, setup, token);
    }

    public static TheoryData<string> Routes() => [.. Matrix.Keys];

    /// <summary>
    /// An episode of a new clinic with a check-in that raised an alert, a report link the patient
    /// shared, an unused invitation and the patient's phone, enrolled by another.
    /// </summary>
    private static async Task<(TestClinic Clinic, TestUser Patient, TestUser Physio, Setup Setup)> Arrange(IAlbaHost host)
    {
        var clinic = new TestClinic(host);
        var patient = clinic.Patient();
        var physio = clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, onsetDate: "2026-10-30");
        var logged = await (await patient.LogCheckIn(episode, TestUser.CheckIn("2026-11-01", with: new { painAtNight = true }))).ShouldBe(HttpStatusCode.Created);
        var link = await (await patient.Post($"/api/episodes/{episode}/report-links", new { })).ShouldBe(HttpStatusCode.Created);
        var invitation = await (await physio.Post($"/api/episodes/{episode}/invitations", new { })).ShouldBe(HttpStatusCode.Created);
        var enrolled = await (await physio.Post($"/api/episodes/{episode}/invitations", new { })).ShouldBe(HttpStatusCode.Created);
        var phone = await (await host.Server.CreateClient().PostAsJsonAsync("/api/sessions", new { invitationCode = enrolled["code"]!.GetValue<string>() }))
            .ShouldBe(HttpStatusCode.Created);
        return (clinic, patient, physio, new Setup(episode, logged["alerts"]![0]!["id"]!.GetValue<Guid>(), link["id"]!.GetValue<Guid>(), link["url"]!.GetValue<string>().Split("/r/")[1],
            invitation["id"]!.GetValue<Guid>(), invitation["code"]!.GetValue<string>(), phone["deviceId"]!.GetValue<Guid>(), phone["refreshToken"]!.GetValue<string>(),
            phone["accessToken"]!.GetValue<string>()));
    }

    private static async Task Expect(IAlbaHost host, string route, Who who, Setup setup, string? token)
    {
        var (method, _) = Split(route);
        var (url, body) = Matrix[route].Request(setup);
        using var request = new HttpRequestMessage(method == "ANY" ? HttpMethod.Get : new HttpMethod(method), url);
        if (body is not null) request.Content = JsonContent.Create(body, options: TestUser.Json);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Headers only: the live stream never ends, and the status is all this test asks about.
        using var response = await host.Server.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var column = who == Who.OwnPatientsPhone ? Who.OwnPatient : who;
        var expected = int.Parse(Matrix[route].Expected.Split(' ', StringSplitOptions.RemoveEmptyEntries)[(int)column], System.Globalization.CultureInfo.InvariantCulture);
        var answer = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "(event stream)" : await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{route} as {who}: expected {expected}, got {(int)response.StatusCode} {answer}");
        if (expected is 401 or 403 or 404)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task An_episode_of_another_clinic_gets_the_same_answer_as_an_id_that_does_not_exist()
    {
        var clinicA = new TestClinic(api);
        var episode = await clinicA.Patient().OpenEpisode();
        var outsider = new TestClinic(api).Admin();
        var randomId = Guid.NewGuid();

        var real = await outsider.Get($"/api/episodes/{episode}");
        var random = await outsider.Get($"/api/episodes/{randomId}");

        Assert.Equal(random.StatusCode, real.StatusCode);
        var realBody = (await real.ShouldBeProblem(HttpStatusCode.NotFound)).AsObject();
        var randomBody = (await random.ShouldBeProblem(HttpStatusCode.NotFound)).AsObject();
        realBody.Remove("traceId");
        randomBody.Remove("traceId");
        Assert.Equal(randomBody.ToJsonString().Replace(randomId.ToString(), "{id}", StringComparison.Ordinal),
            realBody.ToJsonString().Replace(episode.ToString(), "{id}", StringComparison.Ordinal));
    }

    private static (string Method, string Pattern) Split(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        return (route[..space], route[(space + 1)..]);
    }
}
