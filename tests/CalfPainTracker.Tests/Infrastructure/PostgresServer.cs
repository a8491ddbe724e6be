using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Testcontainers.PostgreSql;

[assembly: AssemblyFixture(typeof(CalfPainTracker.Tests.Infrastructure.PostgresServer))]

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL for the whole test run: the connection string in ConnectionStrings__Marten
/// when given; else a Testcontainers container where a Docker engine answers; else a
/// throwaway cluster made by scripts/db in a temporary folder and removed afterwards.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly Lazy<Task<string>> Started = new(StartAsync);
    private static PostgreSqlContainer? _container;
    private static string? _throwawayFolder;

    public static Task<string> ConnectionString => Started.Value;

    public async ValueTask InitializeAsync() => await ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync();
        if (_throwawayFolder is not null)
        {
            await Script("stop", _throwawayFolder, 0);
            Directory.Delete(_throwawayFolder, recursive: true);
        }
    }

    private static async Task<string> StartAsync()
    {
        var given = Environment.GetEnvironmentVariable("ConnectionStrings__Marten");
        if (!string.IsNullOrWhiteSpace(given)) return given;

        if (await DockerAnswers())
        {
            _container = new PostgreSqlBuilder("postgres:17-alpine").Build();
            await _container.StartAsync();
            return _container.GetConnectionString();
        }

        _throwawayFolder = Path.Combine(Path.GetTempPath(), "calfpain-tests-" + Guid.NewGuid().ToString("N")[..8]);
        return await Script("start", _throwawayFolder, FreePort());
    }

    private static async Task<string> Script(string action, string folder, int port)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", "db"), action])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CALFPAIN_PG_DATA"] = Path.Combine(folder, "pg");
        start.Environment["CALFPAIN_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CALFPAIN_NO_DOCKER"] = "1";
        start.Environment.Remove("ConnectionStrings__Marten");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/db {action} failed: {errors}");
        return output.Trim();
    }

    private static async Task<bool> DockerAnswers()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", "info") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CalfPainTracker.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
