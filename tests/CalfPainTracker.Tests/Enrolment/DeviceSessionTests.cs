using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CalfPainTracker.Tests.Enrolment;

/// <summary>
/// A patient's phone, enrolled by an invitation from the clinic: tokens, rotation, reuse
/// detection, signing out and the service's own keys. Its own host and clock, so the clock can
/// move past expiries and key rotations without disturbing other tests.
/// </summary>
public sealed class DeviceSessionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private IAlbaHost _host = null!;
    private TestClinic _clinic = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_devices", _clock,
            builder => builder.UseSetting("Auth:SigningKeyLifetime", "01:00:00"));
        _clinic = new TestClinic(_host);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_patient_enrolled_by_invitation_signs_in_with_no_password_and_gets_a_short_lived_token_the_service_publishes_the_key_of()
    {
        var (patient, physio, episode) = await Episode();

        var invitation = await Invite(physio, episode);
        Assert.Equal($"{ApiHost.PublicUrl}/app#invite={invitation["code"]!.GetValue<string>()}", invitation["url"]!.GetValue<string>());
        Assert.Contains("<svg", invitation["qrSvg"]!.GetValue<string>(), StringComparison.Ordinal);
        var tokens = await SignIn(invitation, "Jane's phone");

        Assert.Equal(episode, tokens["episodeId"]!.GetValue<Guid>());
        Assert.Equal(patient.Id, tokens["patientId"]!.GetValue<Guid>());
        var access = new JsonWebToken(tokens["accessToken"]!.GetValue<string>());
        Assert.Equal("ES256", access.Alg);
        Assert.InRange(access.ValidTo - access.ValidFrom, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
        Assert.Equal(ApiHost.PublicUrl, access.Issuer);
        var jwks = await Anonymous().GetFromJsonAsync<JsonNode>("/.well-known/jwks.json");
        Assert.Contains(jwks!["keys"]!.AsArray(), k => k!["kid"]!.GetValue<string>() == access.Kid && k["kty"]!.GetValue<string>() == "EC" && k["d"] is null);

        var phone = Phone(tokens);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync($"/api/episodes/{episode}")).StatusCode);
        var logged = await phone.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(PatientCalendar.DaysAgo(0, TestUser.Zone)), TestUser.Json);
        Assert.Equal(HttpStatusCode.Created, logged.StatusCode);
        var devices = (await (await phone.GetAsync("/api/me/devices")).ShouldBe(HttpStatusCode.OK)).AsArray();
        Assert.Equal("Jane's phone", Assert.Single(devices)!["deviceName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invitation_works_once_and_not_after_it_expires_or_is_withdrawn_and_an_unknown_code_is_404()
    {
        var (_, physio, episode) = await Episode();

        var used = await Invite(physio, episode);
        await SignIn(used);
        await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = used["code"]!.GetValue<string>() })).ShouldBeProblem(HttpStatusCode.Gone);

        var withdrawn = await Invite(physio, episode);
        await (await physio.Client().DeleteAsync($"/api/invitations/{withdrawn["id"]}")).ShouldBe(HttpStatusCode.NoContent);
        await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = withdrawn["code"]!.GetValue<string>() })).ShouldBeProblem(HttpStatusCode.Gone);

        var expiring = await Invite(physio, episode, expiresInHours: 1);
        _clock.Advance(TimeSpan.FromHours(1));
        await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = expiring["code"]!.GetValue<string>() })).ShouldBeProblem(HttpStatusCode.Gone);

        await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = "not-a-code-anyone-was-given" })).ShouldBeProblem(HttpStatusCode.NotFound);
        var bad = await (await Anonymous().PostAsJsonAsync("/api/sessions", new { })).ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["invitationCode"]);
        await (await physio.Post($"/api/episodes/{episode}/invitations", new { expiresInHours = 500 })).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_refresh_token_works_once_and_presenting_it_again_signs_the_phone_out_for_good()
    {
        var (_, physio, episode) = await Episode();
        var first = await SignIn(await Invite(physio, episode));

        var second = await (await Refresh(first)).ShouldBe(HttpStatusCode.OK);
        Assert.NotEqual(first["refreshToken"]!.GetValue<string>(), second["refreshToken"]!.GetValue<string>());
        var third = await (await Refresh(second)).ShouldBe(HttpStatusCode.OK);

        // Someone replays the first phone's old token: both copies stop working.
        SignedOutBecause("refresh-token-reused", await (await Refresh(first)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        SignedOutBecause("refresh-token-reused", await (await Refresh(third)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        SignedOutBecause("refresh-token-reused", await (await Phone(third).GetAsync($"/api/episodes/{episode}")).ShouldBeProblem(HttpStatusCode.Unauthorized));
        var events = await Events(episode);
        Assert.Contains(events, e => e is DeviceSignedOut { Reason: SignOutReason.RefreshTokenReused, By: null });
        var unknown = await (await Anonymous().PostAsJsonAsync("/api/sessions/refresh", new { refreshToken = "garbage" })).ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Null(unknown["signedOut"]);
    }

    [Fact]
    public async Task A_phone_refreshed_for_months_keeps_only_its_recent_replaced_tokens_and_a_recent_one_replayed_still_signs_it_out()
    {
        var (_, physio, episode) = await Episode();
        var issued = new List<JsonNode> { await SignIn(await Invite(physio, episode)) };
        for (var i = 0; i < DeviceSession.ReplacedTokensKept + 2; i++) issued.Add(await (await Refresh(issued[^1])).ShouldBe(HttpStatusCode.OK));

        // Too old to be remembered: refused, but no reason to sign the phone out.
        await (await Refresh(issued[0])).ShouldBeProblem(HttpStatusCode.Unauthorized);
        issued.Add(await (await Refresh(issued[^1])).ShouldBe(HttpStatusCode.OK));
        // Recent enough to be recognised as a copy: the phone is signed out.
        await (await Refresh(issued[^4])).ShouldBeProblem(HttpStatusCode.Unauthorized);
        await (await Refresh(issued[^1])).ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_refresh_whose_answer_was_lost_is_retried_within_a_minute_without_signing_the_phone_out()
    {
        var (_, physio, episode) = await Episode();
        var first = await SignIn(await Invite(physio, episode));
        await (await Refresh(first)).ShouldBe(HttpStatusCode.OK); // its answer never reached the phone

        var retried = await (await Refresh(first)).ShouldBe(HttpStatusCode.OK);
        var next = await (await Refresh(retried)).ShouldBe(HttpStatusCode.OK);

        // Past the minute the same replay is a copy, and ends the session.
        _clock.Advance(TimeSpan.FromMinutes(2));
        await (await Refresh(retried)).ShouldBeProblem(HttpStatusCode.Unauthorized);
        await (await Refresh(next)).ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_signed_with_the_services_key_for_any_role_but_a_patients_phone_is_refused()
    {
        var (_, physio, episode) = await Episode();
        var phone = await SignIn(await Invite(physio, episode));
        var keys = (CalfPainTracker.Security.ServiceSigningKeys)_host.Services.GetService(typeof(CalfPainTracker.Security.ServiceSigningKeys))!;
        var forged = new JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = ApiHost.PublicUrl,
            Audience = "calfpaintracker-api",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = physio.Id.ToString(), ["role"] = "clinic-admin", ["clinic"] = _clinic.Id.ToString() },
            SigningCredentials = await keys.Current(CancellationToken.None),
        });

        var asAdmin = _host.Server.CreateClient();
        asAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asAdmin.GetAsync("/api/audit/record-access")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Phone(phone).GetAsync($"/api/episodes/{episode}")).StatusCode);
        var malformed = _host.Server.CreateClient();
        malformed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "a.b.c");
        await (await malformed.GetAsync($"/api/episodes/{episode}")).ShouldBeProblem(HttpStatusCode.Unauthorized);
        var nothing = await (await Anonymous().PostAsync("/api/sessions", new StringContent("null", System.Text.Encoding.UTF8, "application/json"))).ShouldBeProblem(HttpStatusCode.BadRequest);
        Assert.Contains("null", nothing["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_patient_signs_a_phone_out_the_clinic_cuts_off_a_lost_one_and_closing_the_episode_ends_them_all()
    {
        var (patient, physio, episode) = await Episode();
        var mine = await SignIn(await Invite(physio, episode));
        var lost = await SignIn(await Invite(physio, episode));
        var spare = await SignIn(await Invite(physio, episode));
        var pending = await Invite(physio, episode);

        Assert.Equal(HttpStatusCode.OK, (await Phone(mine).GetAsync($"/api/episodes/{episode}")).StatusCode);
        await (await patient.Client().DeleteAsync($"/api/me/devices/{mine["deviceId"]}")).ShouldBe(HttpStatusCode.NoContent);
        SignedOutBecause("by-patient", await (await Refresh(mine)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        // Its access token too, at once, though minutes of its life are left.
        SignedOutBecause("by-patient", await (await Phone(mine).GetAsync($"/api/episodes/{episode}")).ShouldBeProblem(HttpStatusCode.Unauthorized));

        var listed = (await physio.GetJson($"/api/episodes/{episode}/devices")).AsArray();
        Assert.Equal(3, listed.Count);
        await (await physio.Client().DeleteAsync($"/api/episodes/{episode}/devices/{lost["deviceId"]}")).ShouldBe(HttpStatusCode.NoContent);
        SignedOutBecause("by-clinic", await (await Refresh(lost)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        SignedOutBecause("by-clinic", await (await Phone(lost).PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(PatientCalendar.DaysAgo(1, TestUser.Zone)))).ShouldBeProblem(HttpStatusCode.Unauthorized));
        var spareRefreshed = await (await Refresh(spare)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await Phone(spareRefreshed).GetAsync($"/api/episodes/{episode}")).StatusCode);

        await (await patient.Post($"/api/episodes/{episode}/close", new { reason = "recovered" })).ShouldBe(HttpStatusCode.NoContent);
        // The refusal says the episode closed, so the app can tell the patient why the check-in it kept was not recorded.
        SignedOutBecause("episode-closed", await (await Refresh(spareRefreshed)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        SignedOutBecause("episode-closed", await (await Phone(spareRefreshed).PostAsJsonAsync($"/api/episodes/{episode}/check-ins", TestUser.CheckIn(PatientCalendar.DaysAgo(1, TestUser.Zone)))).ShouldBeProblem(HttpStatusCode.Unauthorized));
        await (await Anonymous().PostAsJsonAsync("/api/sessions", new { invitationCode = pending["code"]!.GetValue<string>() })).ShouldBeProblem(HttpStatusCode.Gone);
        var events = await Events(episode);
        Assert.Contains(events, e => e is DeviceSignedOut { Reason: SignOutReason.ByPatient });
        Assert.Contains(events, e => e is DeviceSignedOut { Reason: SignOutReason.ByClinic } signedOut && signedOut.By == physio.Id);
        Assert.Contains(events, e => e is DeviceSignedOut { Reason: SignOutReason.EpisodeClosed });
        Assert.Contains(events, e => e is InvitationWithdrawn);
        Assert.Empty((await patient.GetJson("/api/me/devices")).AsArray());
    }

    [Fact]
    public async Task Erasing_the_patients_data_signs_every_phone_out()
    {
        var (patient, physio, episode) = await Episode();
        var phone = await SignIn(await Invite(physio, episode), "Jane Doe's phone");

        await (await patient.Client().DeleteAsync("/api/me")).ShouldBe(HttpStatusCode.OK);

        SignedOutBecause("erasure", await (await Refresh(phone)).ShouldBeProblem(HttpStatusCode.Unauthorized));
        // Someone who knows the phone's id but none of its tokens learns nothing of why.
        var guessed = await (await Anonymous().PostAsJsonAsync("/api/sessions/refresh", new { refreshToken = $"{phone["deviceId"]!.GetValue<Guid>():N}.guessed" }))
            .ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Null(guessed["signedOut"]);
        SignedOutBecause("erasure", await (await Phone(phone).GetAsync("/api/me/export")).ShouldBeProblem(HttpStatusCode.Unauthorized));
        var events = await Events(episode);
        Assert.Contains(events, e => e is DeviceSignedOut { Reason: SignOutReason.Erasure });
        Assert.All(events.OfType<DeviceEnrolled>(), e => Assert.Equal("[erased at the patient's request]", e.DeviceName));
    }

    [Fact]
    public async Task The_signing_key_rotates_by_configuration_and_the_previous_key_is_trusted_and_published_until_its_tokens_have_expired()
    {
        // A schema of its own, its keys cleared: the key history is what this test is about.
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_key_rotation", _clock,
            builder => builder.UseSetting("Auth:SigningKeyLifetime", "01:00:00"));
        var store = (Marten.IDocumentStore)host.Services.GetService(typeof(Marten.IDocumentStore))!;
        await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(CalfPainTracker.Security.ServiceSigningKey));
        var clinic = new TestClinic(host);
        var physio = clinic.Physio();
        var episode = await physio.OpenEpisode(patient: clinic.Patient(), onsetDate: PatientCalendar.DaysAgo(3, TestUser.Zone));
        var anonymous = host.Server.CreateClient();
        async Task<JsonNode> Refreshed(JsonNode tokens) =>
            await (await anonymous.PostAsJsonAsync("/api/sessions/refresh", new { refreshToken = tokens["refreshToken"]!.GetValue<string>() })).ShouldBe(HttpStatusCode.OK);
        async Task<List<string>> Kids() =>
            (await anonymous.GetFromJsonAsync<JsonNode>("/.well-known/jwks.json"))!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToList();
        async Task<HttpStatusCode> Read(JsonNode tokens)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/episodes/{episode}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens["accessToken"]!.GetValue<string>());
            return (await anonymous.SendAsync(request)).StatusCode;
        }

        var invitation = await Invite(physio, episode);
        var before = await (await anonymous.PostAsJsonAsync("/api/sessions", new { invitationCode = invitation["code"]!.GetValue<string>() })).ShouldBe(HttpStatusCode.Created);
        var oldKid = new JsonWebToken(before["accessToken"]!.GetValue<string>()).Kid;
        Assert.Equal([oldKid], await Kids());

        // Past the key's lifetime: a new key is made and published at once, but signs only a minute later.
        _clock.Advance(TimeSpan.FromHours(1));
        var during = await Refreshed(before);
        Assert.Equal(oldKid, new JsonWebToken(during["accessToken"]!.GetValue<string>()).Kid);
        var published = await Kids();
        Assert.Equal(2, published.Count);

        _clock.Advance(TimeSpan.FromMinutes(2));
        var after = await Refreshed(during);
        var newKid = new JsonWebToken(after["accessToken"]!.GetValue<string>()).Kid;
        Assert.Equal(published.Single(k => k != oldKid), newKid);
        Assert.Equal(HttpStatusCode.OK, await Read(during));
        Assert.Equal(HttpStatusCode.OK, await Read(after));

        // Once every token the old key signed has expired, it is neither published nor trusted.
        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal([newKid], await Kids());
        Assert.Equal(HttpStatusCode.Unauthorized, await Read(during));
        Assert.Equal(HttpStatusCode.OK, await Read(after));
    }

    [Fact]
    public async Task Another_node_on_the_same_database_refreshes_and_accepts_this_nodes_sessions()
    {
        var (_, physio, episode) = await Episode();
        var onThisNode = await SignIn(await Invite(physio, episode));
        await using var otherNode = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_devices", _clock,
            builder => builder.UseSetting("Auth:SigningKeyLifetime", "01:00:00"));

        Assert.Equal(HttpStatusCode.OK, (await Phone(onThisNode, otherNode).GetAsync($"/api/episodes/{episode}")).StatusCode);
        var refreshed = await (await Refresh(onThisNode, otherNode)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await Phone(refreshed).GetAsync($"/api/episodes/{episode}")).StatusCode);
    }

    [Fact]
    public async Task With_a_certificate_configured_the_key_ring_in_the_database_is_encrypted_and_another_node_with_it_still_accepts_the_phones()
    {
        var certificates = Directory.CreateTempSubdirectory("calfpain-key-ring-");
        try
        {
            var (certificate, key) = WriteCertificate(certificates, RSA.Create(2048), "key-ring");
            // Each setting names a certificate's file, and the setting with "Key" after it the file of its key.
            static Action<IWebHostBuilder> KeyRing(params (string Setting, string Certificate, string Key)[] files) => builder =>
            {
                foreach (var (setting, file, keyFile) in files) builder.UseSetting($"Security:{setting}", file).UseSetting($"Security:{setting}Key", keyFile);
            };

            // A schema of its own whose keys are cleared: a ring made before the certificate was set stays as it was.
            var connection = await PostgresServer.ConnectionString;
            await using (var clearing = await ApiHost.Start(connection, "calfpain_key_ring", _clock))
            {
                var store = clearing.Services.GetRequiredService<IDocumentStore>();
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(CalfPainTracker.Security.DataProtectionKey));
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(CalfPainTracker.Security.ServiceSigningKey));
                // Protected under a ring an earlier run encrypted to a certificate that is gone.
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(CalfPainTracker.Notifications.VapidKeyPair));
            }

            JsonNode tokens;
            Guid episode;
            await using (var node = await ApiHost.Start(connection, "calfpain_key_ring", _clock, KeyRing(("KeyRingCertificate", certificate, key))))
            {
                var clinic = new TestClinic(node);
                var physio = clinic.Physio();
                episode = await physio.OpenEpisode(patient: clinic.Patient(), onsetDate: PatientCalendar.DaysAgo(3, TestUser.Zone));
                tokens = await SignIn(await Invite(physio, episode), on: node);

                await using var session = node.Services.GetRequiredService<IDocumentStore>().QuerySession();
                var ring = await session.Query<CalfPainTracker.Security.DataProtectionKey>().ToListAsync();
                Assert.NotEmpty(ring);
                Assert.All(ring, k =>
                {
                    Assert.Contains("<EncryptedData", k.Xml, StringComparison.Ordinal);
                    Assert.DoesNotContain("<masterKey", k.Xml, StringComparison.Ordinal);
                });
            }

            // The certificate replaced, the old one kept as the previous: the phone is still signed in, on another node.
            var (replacement, replacementKey) = WriteCertificate(certificates, RSA.Create(2048), "replacement");
            await using var nextNode = await ApiHost.Start(connection, "calfpain_key_ring", _clock,
                KeyRing(("KeyRingCertificate", replacement, replacementKey), ("KeyRingPreviousCertificate", certificate, key)));
            var refreshed = await (await Refresh(tokens, nextNode)).ShouldBe(HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, (await Phone(refreshed, nextNode).GetAsync($"/api/episodes/{episode}")).StatusCode);

            // A wrong path, or a certificate the ring cannot be encrypted with, stops the service with the setting named.
            var (elliptic, ellipticKey) = WriteCertificate(certificates, ECDsa.Create(ECCurve.NamedCurves.nistP256), "elliptic");
            foreach (var (setting, path, keyPath) in new[]
            {
                ("KeyRingCertificate", Path.Combine(certificates.FullName, "missing.pem"), key),
                ("KeyRingCertificate", elliptic, ellipticKey),
                // Only the previous one: the ring could no longer be encrypted, nor quietly left so.
                ("KeyRingPreviousCertificate", certificate, key),
            })
            {
                var refused = await Assert.ThrowsAnyAsync<Exception>(() => ApiHost.Start(connection, "calfpain_key_ring", _clock, KeyRing((setting, path, keyPath))));
                Assert.Contains($"Security:{setting}", refused.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Signing_in_is_rate_limited_per_client_address()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_devices", _clock,
            builder => builder.UseSetting("Auth:SessionAttemptsPerMinutePerAddress", "3"));
        var client = host.Server.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            answers.Add((await client.PostAsJsonAsync("/api/sessions", new { invitationCode = "guess-" + attempt })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task Behind_the_clinics_proxy_each_phone_has_its_own_sign_in_limit_and_a_client_elsewhere_cannot_name_its_address()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_devices", _clock,
            builder => builder.UseSetting("Auth:SessionAttemptsPerMinutePerAddress", "2").UseSetting("Security:TrustedProxies", "10.0.0.0/8, 192.0.2.10"));

        async Task<HttpStatusCode> Attempt(string from, string forwardedFor)
        {
            var context = await host.Server.SendAsync(c =>
            {
                c.Connection.RemoteIpAddress = IPAddress.Parse(from);
                c.Request.Method = "POST";
                c.Request.Path = "/api/sessions";
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
                c.Request.ContentType = "application/json";
                var body = "{\"invitationCode\":\"guess\"}"u8.ToArray();
                c.Request.ContentLength = body.Length;
                c.Request.Body = new MemoryStream(body);
            });
            return (HttpStatusCode)context.Response.StatusCode;
        }

        // Two phones behind the load balancer (10.1.2.3), one of them through a second proxy of ours.
        Assert.Equal(HttpStatusCode.NotFound, await Attempt("10.1.2.3", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.NotFound, await Attempt("10.1.2.3", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Attempt("10.1.2.3", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.NotFound, await Attempt("10.1.2.3", "203.0.113.8, 192.0.2.10"));
        // A client that is not a proxy of ours names a new address with every guess: its own is limited.
        Assert.Equal(HttpStatusCode.NotFound, await Attempt("198.51.100.9", "203.0.113.20"));
        Assert.Equal(HttpStatusCode.NotFound, await Attempt("198.51.100.9", "203.0.113.21"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Attempt("198.51.100.9", "203.0.113.22"));
        // Nor can it hide behind a proxy's address it writes in the header.
        Assert.Equal(HttpStatusCode.TooManyRequests, await Attempt("198.51.100.9", "203.0.113.23, 10.1.2.3"));
    }

    [Fact]
    public void A_trusted_proxy_that_is_not_an_address_or_network_stops_the_service_with_the_entry_named()
    {
        var settings = new CalfPainTracker.Security.SecuritySettings { TrustedProxies = "10.0.0.0/8, lb.clinic.example" };
        var refused = Assert.Throws<InvalidOperationException>(() => settings.ParseTrustedProxies());
        Assert.Contains("'lb.clinic.example'", refused.Message, StringComparison.Ordinal);
        var (proxies, networks) = new CalfPainTracker.Security.SecuritySettings { TrustedProxies = " 10.0.0.0/8 ,fd00::1" }.ParseTrustedProxies();
        Assert.Equal(IPAddress.Parse("fd00::1"), Assert.Single(proxies));
        Assert.Equal(System.Net.IPNetwork.Parse("10.0.0.0/8"), Assert.Single(networks));
    }

    private async Task<(TestUser Patient, TestUser Physio, Guid Episode)> Episode()
    {
        var patient = _clinic.Patient();
        var physio = _clinic.Physio();
        var episode = await physio.OpenEpisode(patient: patient, onsetDate: PatientCalendar.DaysAgo(3, TestUser.Zone));
        return (patient, physio, episode);
    }

    private static async Task<JsonNode> Invite(TestUser clinician, Guid episode, int? expiresInHours = null) =>
        await (await clinician.Post($"/api/episodes/{episode}/invitations", new { expiresInHours })).ShouldBe(HttpStatusCode.Created);

    private async Task<JsonNode> SignIn(JsonNode invitation, string? deviceName = null, IAlbaHost? on = null) =>
        await (await Anonymous(on).PostAsJsonAsync("/api/sessions", new { invitationCode = invitation["code"]!.GetValue<string>(), deviceName })).ShouldBe(HttpStatusCode.Created);

    private Task<HttpResponseMessage> Refresh(JsonNode tokens, IAlbaHost? on = null) =>
        Anonymous(on).PostAsJsonAsync("/api/sessions/refresh", new { refreshToken = tokens["refreshToken"]!.GetValue<string>() });

    private static void SignedOutBecause(string reason, JsonNode problem) => Assert.Equal(reason, problem["signedOut"]?.GetValue<string>());

    /// <summary>A client of this class's host, or of <paramref name="on"/>: another node on the same database.</summary>
    private HttpClient Anonymous(IAlbaHost? on = null) => (on ?? _host).Server.CreateClient();

    private HttpClient Phone(JsonNode tokens, IAlbaHost? on = null)
    {
        var client = Anonymous(on);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens["accessToken"]!.GetValue<string>());
        return client;
    }

    private async Task<IReadOnlyList<object>> Events(Guid episode) =>
        (await _host.Events(_clinic.Id, episode)).Select(e => e.Data).ToList();

    private static (string Certificate, string Key) WriteCertificate(DirectoryInfo directory, AsymmetricAlgorithm key, string name)
    {
        using var disposing = key;
        var request = key switch
        {
            RSA rsa => new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => new CertificateRequest($"CN={name}", ecdsa, HashAlgorithmName.SHA256),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var certificatePath = Path.Combine(directory.FullName, name + ".crt.pem");
        var keyPath = Path.Combine(directory.FullName, name + ".key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
