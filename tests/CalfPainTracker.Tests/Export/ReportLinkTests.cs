using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Export;
using CalfPainTracker.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.Export;

[Collection(nameof(ExportCollection))]
public sealed class ReportLinkTests(ExportedEpisode exported)
{
    [Fact]
    public async Task A_patients_link_opens_the_report_without_signing_in_for_seven_days_without_the_wells_score()
    {
        var link = await CreateLink(exported.Patient, new { });

        Assert.Equal(exported.Clock.GetUtcNow().AddDays(7), link["expiresAt"]!.GetValue<DateTimeOffset>());
        var opened = await Anonymous(link);
        var pdf = await opened.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(DoctorReport.MediaType, opened.Content.Headers.ContentType?.MediaType);
        Assert.True(opened.Headers.CacheControl?.NoStore);
        var report = ReportPdf.Read(pdf);
        Assert.True(report.Shows("Opened through a share link made by the patient"), report.Text);
        Assert.True(report.Shows($"Latest pain 1/10 on {ExportedEpisode.LastDay}"), report.Text);
        Assert.DoesNotContain("Wells", report.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("unlikely", report.Text, StringComparison.OrdinalIgnoreCase);

        var audit = (await exported.Clinic.Admin().GetJson($"/api/audit/record-access?patientId={exported.Patient.Id}"))["accesses"]!.AsArray();
        Assert.Contains(audit, a => a!["what"]!.GetValue<string>() == $"doctor report through share link {link["id"]}");
    }

    [Fact]
    public async Task A_physios_link_for_a_period_shows_that_period_and_the_wells_score()
    {
        var link = await CreateLink(exported.Physio, new { from = "2026-10-01", to = "2026-10-07", expiresInDays = 2 });

        var report = ReportPdf.Read(await (await Anonymous(link)).Content.ReadAsByteArrayAsync());

        Assert.True(report.Shows("Period shown: 2026-10-01 to 2026-10-07"), report.Text);
        Assert.True(report.Shows("Wells score (clinicians only)"), report.Text);
        Assert.True(report.Shows("share link made by the physio"), report.Text);
    }

    [Fact]
    public async Task A_revoked_link_answers_410_and_revoking_again_is_harmless()
    {
        var link = await CreateLink(exported.Patient, new { });

        await (await exported.Patient.Client().DeleteAsync($"/api/report-links/{link["id"]}")).ShouldBe(HttpStatusCode.NoContent);

        var problem = await (await Anonymous(link)).ShouldBeProblem(HttpStatusCode.Gone);
        Assert.Contains("revoked", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await exported.Patient.Client().DeleteAsync($"/api/report-links/{link["id"]}")).ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_clinic_admin_may_revoke_any_link_of_the_clinic_but_the_physio_may_not_revoke_the_patients()
    {
        var link = await CreateLink(exported.Patient, new { });

        await (await exported.Physio.Client().DeleteAsync($"/api/report-links/{link["id"]}")).ShouldBeProblem(HttpStatusCode.Forbidden);
        await (await new TestClinic(exported.Host).Admin().Client().DeleteAsync($"/api/report-links/{link["id"]}")).ShouldBeProblem(HttpStatusCode.NotFound);
        await (await exported.Clinic.Admin().Client().DeleteAsync($"/api/report-links/{link["id"]}")).ShouldBe(HttpStatusCode.NoContent);
        await (await Anonymous(link)).ShouldBeProblem(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task A_link_expires_after_its_days_and_then_answers_410()
    {
        var link = await CreateLink(exported.Patient, new { expiresInDays = 1 });
        Assert.Equal(HttpStatusCode.OK, (await Anonymous(link)).StatusCode);

        exported.Clock.Advance(TimeSpan.FromDays(1));

        var problem = await (await Anonymous(link)).ShouldBeProblem(HttpStatusCode.Gone);
        Assert.Contains("expired", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_token_answers_404()
    {
        var response = await exported.Host.Server.CreateClient().GetAsync($"/r/{ReportLink.NewToken()}");

        await response.ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_the_tokens_hash_is_stored()
    {
        var link = await CreateLink(exported.Patient, new { });
        var token = Token(link);

        await using var session = exported.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stored = await session.LoadAsync<ReportLink>(link["id"]!.GetValue<Guid>());

        Assert.NotNull(stored);
        Assert.Equal(CalfPainTracker.Security.OneTimeSecret.Hash(token), stored.TokenHash);
        Assert.Equal(43, token.Length); // 32 bytes, base64url without padding
        Assert.DoesNotContain(token, System.Text.Json.JsonSerializer.Serialize(stored), StringComparison.Ordinal);
        Assert.Equal(exported.Clinic.Id, stored.ClinicId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public async Task Expiry_outside_1_to_30_days_is_a_400(int days)
    {
        var problem = await (await exported.Patient.Post($"/api/episodes/{exported.Episode}/report-links", new { expiresInDays = days })).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]!["expiresInDays"]);
    }

    [Fact]
    public async Task A_bad_period_is_a_400()
    {
        var problem = await (await exported.Patient.Post($"/api/episodes/{exported.Episode}/report-links", new { from = "1 Oct", to = "2026-10-07" })).ShouldBeProblem(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]!["from"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"expiresInDays\":\"a week\"}")]
    [InlineData("{\"expiresInDays\":7.5}")]
    public async Task A_body_that_is_not_the_request_is_a_400_not_a_500(string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await exported.Patient.Client().PostAsync($"/api/episodes/{exported.Episode}/report-links", content);

        await response.ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("abc%2F..%2Fdef")]
    [InlineData("a-token-far-longer-than-any-real-one-a-token-far-longer-than-any-real-one-a-token-far-longer")]
    public async Task A_malformed_token_answers_404(string token)
    {
        var response = await exported.Host.Server.CreateClient().GetAsync($"/r/{token}");

        await response.ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_link_made_with_a_forged_host_header_points_at_the_public_url()
    {
        var client = exported.Patient.Client();
        client.DefaultRequestHeaders.Host = "evil.example";

        var response = await client.PostAsJsonAsync($"/api/episodes/{exported.Episode}/report-links", new { }, TestUser.Json);

        var link = await response.ShouldBe(HttpStatusCode.Created);
        Assert.StartsWith($"{ApiHost.PublicUrl}/r/", link["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{ApiHost.PublicUrl}/r/", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    private async Task<JsonNode> CreateLink(TestUser who, object body)
    {
        var created = await (await who.Post($"/api/episodes/{exported.Episode}/report-links", body)).ShouldBe(HttpStatusCode.Created);
        Assert.Contains("/r/", created["url"]!.GetValue<string>(), StringComparison.Ordinal);
        return created;
    }

    private static string Token(JsonNode link) => link["url"]!.GetValue<string>().Split("/r/")[1];

    private Task<HttpResponseMessage> Anonymous(JsonNode link) => exported.Host.Server.CreateClient().GetAsync($"/r/{Token(link)}");
}
