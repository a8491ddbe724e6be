using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace CalfPainTracker.Tests.Operations;

/// <summary>
/// The served OpenAPI document is the contract client developers build against: it passes
/// Redocly's recommended lint, a TypeScript client generated from it type-checks, and it is
/// the one committed in openapi/ (and the generated types beside it), so a change to the
/// contract shows up in review. `scripts/openapi write` runs these with OPENAPI_WRITE=1 to
/// rewrite the committed files; the tools come from openapi/package.json (`npm ci` there,
/// which scripts/test and scripts/openapi run).
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class OpenApiDocumentTests(ApiHost api)
{
    private static readonly string Folder = Path.Combine(PostgresServer.RepositoryRoot(), "openapi");
    private static readonly string CommittedDocument = Path.Combine(Folder, "v1.json");
    private static readonly string CommittedTypes = Path.Combine(Folder, "client", "v1.d.ts");
    private static bool Writing => Environment.GetEnvironmentVariable("OPENAPI_WRITE") == "1";

    [Fact]
    public async Task The_committed_document_is_the_one_the_service_serves()
    {
        var served = await Served();

        if (Writing) await File.WriteAllTextAsync(CommittedDocument, served);
        Assert.True(File.Exists(CommittedDocument), "openapi/v1.json is missing; run scripts/openapi write.");
        Assert.True(served == await File.ReadAllTextAsync(CommittedDocument),
            "The served OpenAPI document differs from openapi/v1.json; run scripts/openapi write, review the change and commit it.");
    }

    [Fact]
    public async Task The_document_passes_redoclys_recommended_lint_with_no_errors()
    {
        var file = await WriteServed();

        var (_, output) = await Tool("redocly", "lint", "--config", Path.Combine(Folder, "redocly.yaml"), "--format", "json", file);

        // Warnings pass only where redocly.yaml switches the rule off with its reason.
        // The JSON report is followed by Redocly's notices (such as its Node.js deprecation box): read one value.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(output));
        var report = JsonNode.Parse(ref reader)!;
        var problems = string.Join("\n", report["problems"]!.AsArray().Select(p =>
            $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}"));
        Assert.True(report["totals"]!["errors"]!.GetValue<int>() == 0 && report["totals"]!["warnings"]!.GetValue<int>() == 0,
            "redocly lint found problems:\n" + problems);
    }

    [Fact]
    public async Task A_typescript_client_generated_from_the_document_type_checks()
    {
        var file = await WriteServed();
        var types = Path.Combine(Path.GetDirectoryName(file)!, "v1.d.ts");

        var (generated, generation) = await Tool("openapi-typescript", file, "--output", types);
        Assert.True(generated == 0, "openapi-typescript failed:\n" + generation);

        if (Writing) File.Copy(types, CommittedTypes, overwrite: true);
        Assert.True(await File.ReadAllTextAsync(types) == await File.ReadAllTextAsync(CommittedTypes),
            "The TypeScript types generated from the served document differ from openapi/client/v1.d.ts; run scripts/openapi write and commit it.");

        // The committed usage file calls the routes the dashboard and the patient's app use
        // through the generated types, so a renamed field or route fails here, not in a browser.
        var (checkedExit, typeCheck) = await Tool("tsc", "--project", Path.Combine(Folder, "client", "tsconfig.json"));
        Assert.True(checkedExit == 0, "tsc found errors in the generated client:\n" + typeCheck);
    }

    [Fact]
    public async Task A_configured_public_address_and_identity_provider_are_in_the_document()
    {
        await using var host = await ApiHost.Start(await PostgresServer.ConnectionString, "calfpain_openapi", TimeProvider.System, builder =>
        {
            builder.UseSetting("PublicUrl", "https://calfpain.test/");
            builder.UseSetting("Auth:Authority", "https://login.calfpain.test/realm/");
        });

        var document = JsonNode.Parse(await host.Server.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;

        Assert.Equal("https://calfpain.test", document["servers"]![0]!["url"]!.GetValue<string>());
        Assert.Equal("https://login.calfpain.test/realm/.well-known/openid-configuration",
            document["components"]!["securitySchemes"]!["OpenIdConnect"]!["openIdConnectUrl"]!.GetValue<string>());
        Assert.Equal(2, document["paths"]!["/api/dashboard"]!["get"]!["security"]!.AsArray().Count);
        Assert.Empty(document["paths"]!["/r/{token}"]!["get"]!["security"]!.AsArray());
    }

    /// <summary>The document as served, indented, with a final newline, as the committed file holds it.</summary>
    private async Task<string> Served()
    {
        var json = await api.Host.Server.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        return JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            // Readable in review: apostrophes and accents as they are, not \u0027.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
    }

    private async Task<string> WriteServed()
    {
        var folder = Directory.CreateTempSubdirectory("calfpain-openapi-").FullName;
        var file = Path.Combine(folder, "openapi.json");
        await File.WriteAllTextAsync(file, await Served());
        return file;
    }

    private static async Task<(int Exit, string Output)> Tool(string name, params string[] arguments)
    {
        var executable = Path.Combine(Folder, "node_modules", ".bin", name);
        Assert.True(File.Exists(executable), $"{executable} is missing; run `npm ci` in openapi/ (scripts/test does).");
        var start = new ProcessStartInfo(executable, arguments)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NO_COLOR"] = "1";
        // Redocly would otherwise ask its servers for news and send usage figures.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // Standard output first: Redocly's JSON report is read from it; its notices go to standard error.
        return (process.ExitCode, await output + "\n" + await errors);
    }
}
