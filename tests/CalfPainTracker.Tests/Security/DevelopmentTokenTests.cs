using System.Text.Json;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Security;

/// <summary>
/// The README's first session captures a token with <c>TOKEN=$(dotnet run ... -- token ...)</c>:
/// anything else on standard output ends up in TOKEN and every request after it gets 401.
/// Running <c>dotnet run</c> itself takes a restore and a build; these check its two parts instead:
/// what restore would print, and what the command prints.
/// </summary>
public sealed class DevelopmentTokenTests
{
    [Fact]
    public async Task The_token_command_prints_the_token_alone_on_one_line()
    {
        var output = await ApiProcess.Output("Development", "token", "--role", "patient", "--clinic", Guid.NewGuid().ToString());

        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, line.TrimEnd('\r').Split('.').Length); // header.payload.signature
    }

    [Fact]
    public void Restoring_the_service_leaves_no_warning_that_dotnet_run_would_print_before_the_token()
    {
        // NuGet records each restore warning (NU1603 and the like) in the assets file; dotnet run prints them on stdout.
        var assets = Path.Combine(PostgresServer.RepositoryRoot(), "src", "CalfPainTracker.Api", "obj", "project.assets.json");
        using var document = JsonDocument.Parse(File.ReadAllText(assets));

        var logs = document.RootElement.TryGetProperty("logs", out var found) ? found.EnumerateArray().Select(l => l.GetRawText()).ToList() : [];

        Assert.Empty(logs);
    }
}
