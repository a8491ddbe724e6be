using System.Diagnostics;
using System.Net.Http.Json;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// The service as its own operating-system process, built like production (pre-generated
/// code, Production environment), for what an in-memory host cannot show: a kill -9, or the
/// command line an operator runs.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ApiProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    /// <summary>
    /// One node alone: its projections and scheduled messages start at once. Each test starts a
    /// new process on its schema, and in the default distributed mode it would wait out the
    /// previous (killed) node's heartbeat timeout, 30 s, before the trend caught up.
    /// </summary>
    public static IDictionary<string, string> SingleNode() => new Dictionary<string, string>
    {
        ["Marten:DaemonMode"] = "Solo",
        ["Wolverine:DurabilityMode"] = "Solo",
    };

    /// <param name="port">Chosen beforehand when the service's address must be known first (a provider's redirect URI, PublicUrl).</param>
    public static async Task<ApiProcess> Start(string connectionString, string schema, IDictionary<string, string>? settings = null, int? port = null)
    {
        var url = $"http://127.0.0.1:{port ?? PostgresServer.FreePort()}";
        var process = Process.Start(StartInfo(connectionString, schema, settings, "--urls", url))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The service exited during start-up with code {process.ExitCode}.");
            try
            {
                if ((await client.GetAsync($"{url}/health/ready")).IsSuccessStatusCode) return api;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        await api.DisposeAsync();
        throw new TimeoutException("The service did not become ready in 30 s.");
    }

    /// <summary>Runs a command of the service's command line to completion, as an operator would.</summary>
    public static async Task Run(string connectionString, string schema, params string[] args)
    {
        var (exitCode, output) = await RunToEnd(connectionString, schema, args);
        Assert.True(exitCode == 0, $"{string.Join(' ', args)} failed: {output}");
    }

    /// <summary>Runs a command of the service's command line to completion: its exit code, and what it printed on standard output and error.</summary>
    public static Task<(int ExitCode, string Output)> RunToEnd(string connectionString, string schema, params string[] args) =>
        RunToEnd(connectionString, schema, new Dictionary<string, string>(), args);

    /// <summary>The same, with <paramref name="settings"/> given as an operator's environment would.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEnd(string connectionString, string schema, IDictionary<string, string> settings, params string[] args)
    {
        var (exitCode, output, errors) = await ToEnd(StartInfo(connectionString, schema, settings, args), TimeSpan.FromMinutes(2));
        return (exitCode, output + errors);
    }

    /// <summary>What a command of the service's command line prints on standard output, run in <paramref name="environment"/> without a database.</summary>
    public static async Task<string> Output(string environment, params string[] args)
    {
        var start = Command(args);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        var (exitCode, output, errors) = await ToEnd(start, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"{string.Join(' ', args)} failed: {output}{errors}");
        return output;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> ToEnd(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>A client of this process signed in as <paramref name="caller"/>.</summary>
    public HttpClient ClientFor(CalfPainTracker.Security.Caller caller)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", CalfPainTracker.Security.DevelopmentToken.Mint(ApiHost.Jwt, caller, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        return client;
    }

    /// <summary>The zone of the episodes <see cref="OpenEpisode"/> opens.</summary>
    public const string Zone = "UTC";

    /// <summary>Opens an episode (zone <see cref="Zone"/>) through <paramref name="client"/>, signed in as its patient.</summary>
    public static async Task<Guid> OpenEpisode(HttpClient client, string onsetDate, string suspectedCause = "calf-strain", string side = "left")
    {
        ArgumentNullException.ThrowIfNull(client);
        var opened = await (await client.PostAsJsonAsync("/api/episodes", new { side, suspectedCause, onsetDate, timeZone = Zone })).ShouldBe(System.Net.HttpStatusCode.Created);
        return opened["id"]!.GetValue<Guid>();
    }

    /// <summary>kill -9: no shutdown hooks, no flushing, as in a power cut.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private static ProcessStartInfo StartInfo(string connectionString, string schema, IDictionary<string, string>? settings, params string[] args)
    {
        var start = Command(args);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Marten"] = connectionString;
        start.Environment["Marten__Schema"] = schema;
        start.Environment["Jwt__SigningKey"] = ApiHost.SigningKey;
        start.Environment["PublicUrl"] = ApiHost.PublicUrl;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return start;
    }

    /// <summary>The built service (the same configuration as the tests), run from its project folder.</summary>
    private static ProcessStartInfo Command(string[] args)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var api = Path.Combine(PostgresServer.RepositoryRoot(), "src", "CalfPainTracker.Api", "bin", configuration, "net10.0", "CalfPainTracker.Api.dll");
        return new ProcessStartInfo("dotnet", [api, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The project folder is the content root, as with dotnet run: appsettings and wwwroot live there.
            WorkingDirectory = Path.Combine(PostgresServer.RepositoryRoot(), "src", "CalfPainTracker.Api"),
        };
    }
}

/// <summary>
/// Tests that run the service as separate processes and kill them: run alone, so a starved
/// CPU (2 cores shared with the other tests) does not stand in for the failure under test.
/// </summary>
[CollectionDefinition(nameof(ServiceProcesses), DisableParallelization = true)]
public sealed class ServiceProcesses;
