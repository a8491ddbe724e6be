using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Alba;
using CalfPainTracker.Security;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Staff = CalfPainTracker.Tests.Infrastructure.TestIdentityProvider.Staff;

namespace CalfPainTracker.Tests.Security;

/// <summary>The service and a real OpenID Connect provider, started once for the class.</summary>
public class ClinicProviderFixture : IAsyncLifetime
{
    public const string Audience = "calfpain-api";

    public TestIdentityProvider Provider { get; private set; } = null!;

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>A schema per fixture: classes running side by side must not share a projection daemon.</summary>
    protected virtual string Schema => "calfpain_oidc";

    public async ValueTask InitializeAsync()
    {
        Provider = await TestIdentityProvider.Start(Audience);
        Host = await ApiHost.Start(await PostgresServer.ConnectionString, Schema, TimeProvider.System, builder =>
        {
            foreach (var (key, value) in Settings(Provider)) builder.UseSetting(key, value);
        });
    }

    /// <summary>The service's configuration for the test provider: its claim and role names, not ours.</summary>
    public static Dictionary<string, string> Settings(TestIdentityProvider provider) => new()
    {
        ["Auth:Authority"] = provider.Url,
        ["Auth:Audience"] = Audience,
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:SubjectClaim"] = TestIdentityProvider.SubjectClaim,
        ["Auth:RoleClaim"] = TestIdentityProvider.RoleClaim,
        ["Auth:ClinicClaim"] = TestIdentityProvider.ClinicClaim,
        ["Auth:Roles:physio"] = TestIdentityProvider.PhysioRole,
        ["Auth:Roles:clinic-admin"] = TestIdentityProvider.AdminRole,
        ["Auth:ClientId"] = TestIdentityProvider.DashboardClient,
        ["Auth:MetadataRefreshInterval"] = "00:00:01",
    };

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Provider.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The provider and a service of its own for the authorisation matrix.</summary>
public sealed class MatrixProviderFixture : ClinicProviderFixture
{
    protected override string Schema => "calfpain_oidc_matrix";
}

public sealed class ClinicProviderTests(ClinicProviderFixture fixture) : IClassFixture<ClinicProviderFixture>
{
    private TestIdentityProvider Provider => fixture.Provider;

    [Fact]
    public async Task A_physio_signed_in_at_the_provider_is_a_physio_of_the_clinic_in_the_token_and_sees_their_own_patients()
    {
        var clinic = new TestClinic(fixture.Host);
        var physio = clinic.Physio();
        var episode = await physio.OpenEpisode(patient: clinic.Patient());

        var mine = await Dashboard(await Provider.Token(new Staff(physio.Id, clinic.Id, "Staff", TestIdentityProvider.PhysioRole)));
        var colleague = await Dashboard(await Provider.Token(new Staff(Guid.NewGuid(), clinic.Id, "Staff", TestIdentityProvider.PhysioRole)));
        var admin = await Dashboard(await Provider.Token(new Staff(Guid.NewGuid(), clinic.Id, TestIdentityProvider.AdminRole)));
        var otherClinic = await Dashboard(await Provider.Token(new Staff(physio.Id, Guid.NewGuid(), TestIdentityProvider.PhysioRole, "Staff")));

        Assert.Equal([episode], mine);
        Assert.Empty(colleague);
        Assert.Equal([episode], admin);
        Assert.Empty(otherClinic);
        // A physio may not do what only a clinic administrator may: the role came from "roles", mapped.
        using var asPhysio = Client(await Provider.Token(new Staff(physio.Id, clinic.Id, "Staff", TestIdentityProvider.PhysioRole)));
        await (await asPhysio.GetAsync("/api/audit/record-access")).ShouldBeProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_provider_token_without_one_of_our_roles_is_401()
    {
        using var client = Client(await Provider.Token(new Staff(Guid.NewGuid(), Guid.NewGuid(), "Staff", "Receptionist")));
        await (await client.GetAsync("/api/dashboard")).ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tokens_for_another_audience_from_another_issuer_or_signed_with_another_key_under_the_providers_name_are_401()
    {
        var staff = new Staff(Guid.NewGuid(), Guid.NewGuid(), TestIdentityProvider.PhysioRole, "Staff");
        await using var another = await TestIdentityProvider.Start(ClinicProviderFixture.Audience);
        // Same issuer and key id as the clinic's provider, a key of its own: a forgery.
        await using var impostor = await TestIdentityProvider.Start(ClinicProviderFixture.Audience, TestIdentityProvider.RsaKey(Provider.Key.KeyId), Provider.Issuer);

        foreach (var (what, token) in new[]
        {
            ("control: the provider's own token", await Provider.Token(staff)),
            ("another audience", await Provider.Token(staff, audience: "some-other-api")),
            ("another issuer", await another.Token(staff)),
            ("the provider's issuer and kid, another key", await impostor.Token(staff)),
        })
        {
            using var client = Client(token);
            var response = await client.GetAsync("/api/dashboard");
            if (what.StartsWith("control", StringComparison.Ordinal)) await response.ShouldBe(HttpStatusCode.OK);
            else Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task When_the_provider_rotates_its_key_the_running_service_accepts_tokens_signed_with_the_new_key_without_a_restart()
    {
        var staff = new Staff(Guid.NewGuid(), Guid.NewGuid(), TestIdentityProvider.PhysioRole, "Staff");
        var before = await Provider.Token(staff);
        using (var client = Client(before)) await (await client.GetAsync("/api/dashboard")).ShouldBe(HttpStatusCode.OK);

        // From RSA to an ECDSA key under a new kid, at the same address: ES256 is accepted too.
        await Provider.RotateTo(TestIdentityProvider.EcKey("ec-" + Guid.NewGuid().ToString("N")[..8]));
        var after = await Provider.Token(staff);

        var waited = Stopwatch.StartNew();
        Assert.True(await Eventually(after, HttpStatusCode.OK), "A token signed with the new key was still refused 15 s after the rotation.");
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15));
        // Tokens of the retired key are not asserted either way: they were seen still accepted after
        // the refresh, most likely Microsoft.IdentityModel's last-known-good configuration grace.
    }

    [Fact]
    public async Task Beside_the_provider_the_shared_key_may_be_left_unset_and_then_no_shared_key_token_is_accepted()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_oidc_no_shared_key", TimeProvider.System, builder =>
        {
            foreach (var (key, value) in ClinicProviderFixture.Settings(Provider)) builder.UseSetting(key, value);
            builder.UseSetting("Jwt:SigningKey", "");
        });
        var clinic = new TestClinic(host);

        using var signedInAtTheProvider = host.Server.CreateClient();
        signedInAtTheProvider.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", await Provider.Token(new Staff(Guid.NewGuid(), clinic.Id, TestIdentityProvider.AdminRole)));
        await (await signedInAtTheProvider.GetAsync("/api/audit/record-access")).ShouldBe(HttpStatusCode.OK);
        // A clinic administrator's token signed with the key every other test host trusts.
        await (await clinic.Admin().Client().GetAsync("/api/audit/record-access")).ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void A_subject_that_is_not_a_uuid_becomes_a_stable_uuid_per_issuer()
    {
        var first = ClinicProvider.UserId("https://accounts.example.org", "110169484474386276334");
        Assert.Equal(first, ClinicProvider.UserId("https://accounts.example.org", "110169484474386276334"));
        Assert.NotEqual(first, ClinicProvider.UserId("https://other.example.org", "110169484474386276334"));
        var id = Guid.NewGuid();
        Assert.Equal(id, ClinicProvider.UserId("https://accounts.example.org", id.ToString()));
    }

    [Fact]
    public void Keycloaks_nested_realm_roles_and_a_fixed_clinic_map_by_configuration_alone()
    {
        var clinic = Guid.NewGuid();
        var settings = new ClinicProviderSettings { RoleClaim = "realm_access.roles", FixedClinic = clinic, Roles = { ["clinic-admin"] = "clinic-admin" } };
        var token = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", "f:1234:alice", null, "https://keycloak.example.org/realms/clinic"),
            new Claim("realm_access", """{"roles":["offline_access","physio"]}""", "JSON"),
            new Claim("role", "clinic-admin"),
            new Claim("clinic", Guid.NewGuid().ToString()),
        ]));

        var caller = Caller.TryRead(ClinicProvider.Map(token, settings));

        // The token's own "role" and "clinic" claims count for nothing: only the configured ones do.
        Assert.Equal(Role.Physio, caller?.Role);
        Assert.Equal(clinic, caller?.ClinicId);
        Assert.Equal(ClinicProvider.UserId("https://keycloak.example.org/realms/clinic", "f:1234:alice"), caller?.UserId);
    }

    private async Task<bool> Eventually(string token, HttpStatusCode expected)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            using var client = Client(token);
            if ((await client.GetAsync("/api/dashboard")).StatusCode == expected) return true;
            await Task.Delay(250);
        }
        return false;
    }

    private async Task<Guid[]> Dashboard(string token)
    {
        using var client = Client(token);
        var view = await (await client.GetAsync("/api/dashboard")).ShouldBe(HttpStatusCode.OK);
        return [.. view["patients"]!.AsArray().Select(p => p!["episodeId"]!.GetValue<Guid>())];
    }

    private HttpClient Client(string token)
    {
        var client = fixture.Host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
