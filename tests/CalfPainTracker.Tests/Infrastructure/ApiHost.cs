using Alba;
using CalfPainTracker.Security;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wolverine;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// The real service, in the Production environment (so it runs the committed, pre-generated
/// Wolverine code), on the shared PostgreSQL, with a clock the tests can move.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-that-is-long-enough-for-hmac-sha256";

    /// <summary>Where the service under test says it is reached; every link it makes starts with it.</summary>
    public const string PublicUrl = "https://calfpain.test";

    public static readonly JwtSettings Jwt = new() { SigningKey = SigningKey };

    /// <summary>Tests start at a fixed instant; a test may move it forward.</summary>
    public FakeTimeProvider Clock { get; } = TestClock();

    /// <summary>The clinical clock every test host starts on: check-in days in tests are days before it.</summary>
    public static FakeTimeProvider TestClock() => new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    public IAlbaHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await Start(await PostgresServer.ConnectionString, "calfpain_tests", Clock);

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    public static async Task<IAlbaHost> Start(string connectionString, string schema, TimeProvider clock, Action<IWebHostBuilder>? configure = null)
    {
        JasperFxEnvironment.AutoStartHost = true;
        return await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Marten", connectionString);
            builder.UseSetting("Marten:Schema", schema);
            // One node per schema in tests: no leader election to wait for.
            builder.UseSetting("Marten:DaemonMode", "Solo");
            builder.UseSetting("Jwt:SigningKey", SigningKey);
            builder.UseSetting("PublicUrl", PublicUrl);
            builder.UseSetting("Security:WritesPerMinutePerUser", "100000");
            builder.UseSetting("Auth:SessionAttemptsPerMinutePerAddress", "100000");
            builder.ConfigureServices(services =>
            {
                services.AddSingleton(clock);
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
            configure?.Invoke(builder);
        });
    }
}

[CollectionDefinition(nameof(ApiCollection))]
public sealed class ApiCollection : ICollectionFixture<ApiHost>;
