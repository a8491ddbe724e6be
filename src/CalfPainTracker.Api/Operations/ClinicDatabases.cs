using JasperFx;
using JasperFx.Descriptors;
using Marten;
using Marten.Schema;
using Marten.Storage;
using Npgsql;
using Weasel.Core.Migrations;

namespace CalfPainTracker.Operations;

/// <summary>A PostgreSQL database of its own for some clinics (a large clinic, or a region).</summary>
public sealed record ClinicDatabase(string Id, string ConnectionString, string[] Clinics);

/// <summary>
/// Every clinic shares the main database (conjoined: each row carries its clinic) unless the
/// configuration gives it a database of its own. Clinics are created at run time, so an
/// unknown clinic lands in the shared database; Marten's static per-database tenancy refuses
/// unknown tenants, hence this small tenancy of our own. Within each database the clinics stay
/// conjoined, so several clinics may share a dedicated database too.
/// </summary>
public sealed class ClinicTenancy : ITenancy
{
    public const string SharedDatabaseId = "shared";

    private readonly StoreOptions options;
    private readonly NpgsqlDataSource shared;
    private readonly IReadOnlyList<ClinicDatabase> dedicated;
    private readonly Func<string, NpgsqlDataSource> connect;
    private readonly Lazy<Databases> databases;
    private CompositeDocumentCleaner? cleaner;

    public ClinicTenancy(StoreOptions options, NpgsqlDataSource shared, IReadOnlyList<ClinicDatabase> dedicated, Func<string, NpgsqlDataSource> connect)
    {
        this.options = options;
        this.shared = shared;
        this.dedicated = dedicated;
        this.connect = connect;
        // Lazy: a MartenDatabase reads the store's settings when it is made, after configuration.
        databases = new(Build);
    }

    private sealed record Databases(MartenDatabase Shared, Dictionary<string, MartenDatabase> ByClinic, List<MartenDatabase> All, List<NpgsqlDataSource> Owned);

    private Databases Build()
    {
        var main = new MartenDatabase(options, shared, SharedDatabaseId);
        var all = new List<MartenDatabase> { main };
        var owned = new List<NpgsqlDataSource>();
        var byClinic = new Dictionary<string, MartenDatabase>(StringComparer.OrdinalIgnoreCase);
        foreach (var database in dedicated)
        {
            var source = connect(database.ConnectionString);
            owned.Add(source);
            var marten = new MartenDatabase(options, source, database.Id);
            all.Add(marten);
            foreach (var clinic in database.Clinics) byClinic[clinic] = marten;
        }
        return new Databases(main, byClinic, all, owned);
    }

    private MartenDatabase Resolve(string tenantOrDatabaseId)
    {
        var known = databases.Value;
        return known.ByClinic.TryGetValue(tenantOrDatabaseId, out var database)
            ? database
            : known.All.FirstOrDefault(d => d.Identifier == tenantOrDatabaseId) ?? known.Shared;
    }

    public Tenant Default => new(StorageConstants.DefaultTenantId, databases.Value.Shared);

    /// <summary>
    /// A document kept outside the clinic tenancy (share links, invitations, device sessions) is
    /// written in its clinic's database; who presents its secret has no clinic yet, so every
    /// database is asked.
    /// </summary>
    public static async Task<T?> FindInAnyDatabase<T>(IDocumentStore store, System.Linq.Expressions.Expression<Func<T, bool>> match, CancellationToken cancellation)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(store);
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var session = store.QuerySession(Marten.Services.SessionOptions.ForDatabase(database));
            if (await session.Query<T>().FirstOrDefaultAsync(match, cancellation) is { } found) return found;
        }
        return default;
    }

    public IDocumentCleaner Cleaner => cleaner ??= new CompositeDocumentCleaner(this, options);

    public DatabaseCardinality Cardinality => DatabaseCardinality.StaticMultiple;

    public Tenant GetTenant(string tenantId) => new(tenantId, Resolve(tenantId));

    public ValueTask<Tenant> GetTenantAsync(string tenantId) => new(GetTenant(tenantId));

    public ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) => new(Resolve(tenantIdOrDatabaseIdentifier));

    public ValueTask<IMartenDatabase> FindDatabase(DatabaseId id) => new(databases.Value.All.Single(d => d.Id == id));

    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) => ReferenceEquals(Resolve(tenantId), database);

    public ValueTask<IReadOnlyList<IDatabase>> BuildDatabases() => new([.. databases.Value.All]);

    public ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token) => new(new DatabaseUsage
    {
        Cardinality = Cardinality,
        MainDatabase = databases.Value.Shared.Describe(),
        Databases = [.. databases.Value.All.Select(d => d.Describe())],
    });

    public void Dispose()
    {
        if (!databases.IsValueCreated) return;
        foreach (var database in databases.Value.All) database.Dispose();
        // Marten disposes neither the shared data source (the application's) nor these.
        foreach (var source in databases.Value.Owned) source.Dispose();
    }
}
