using System.Data.Common;
using Npgsql;

namespace CalfPainTracker.Operations;

/// <summary>
/// How the service connects to each PostgreSQL database it keeps documents in (the main one and any
/// clinic database). Every session asks PostgreSQL to compress the documents it writes with
/// <c>Marten:DocumentCompression</c> (lz4 unless set): a document over about 2 KB is compressed
/// when written and decompressed whole whenever any part of it is read, and the dashboard reads a
/// small part of 500 of them. With PostgreSQL's default (pglz) the dashboard answered at p99 15–18 ms;
/// with lz4, 11–12 ms (docs/benchmarks.md). Documents already stored stay as they are until rewritten:
/// PostgreSQL reads both.
/// <para>
/// Every connection also prepares the statements it runs often (Npgsql's <c>Max Auto Prepare</c>,
/// <see cref="PreparedStatements"/> unless the connection string sets it). Npgsql resets a pooled
/// connection with <c>DISCARD ALL</c> when it is handed back, unless it holds prepared statements:
/// then it resets the session's state (advisory locks, LISTEN, settings) and keeps the plans.
/// <c>DISCARD ALL</c> also threw away the plans PostgreSQL had cached inside Marten's functions, so
/// each check-in planned its ten statements again: 0.3 ms of PostgreSQL's 2.5 ms per check-in went
/// to planning and the event append took 0.8 ms instead of 0.3 (docs/benchmarks.md, "PostgreSQL's
/// share"). Behind PgBouncer in transaction mode before 1.21 (or without max_prepared_statements),
/// set <c>Max Auto Prepare=0</c> in the connection string.
/// </para>
/// </summary>
public static class DocumentDatabases
{
    public const string CompressionSetting = "Marten:DocumentCompression";

    /// <summary>PostgreSQL 14 or later built with lz4 (the Debian, Ubuntu and Docker packages and the managed services are).</summary>
    private const string DefaultCompression = "lz4";

    /// <summary><c>default</c> leaves the server's own setting.</summary>
    private static readonly string[] Known = ["lz4", "pglz", "default"];

    /// <summary>A check-in's path runs about a dozen distinct statements; the daemon, reads and Wolverine's outbox a few dozen more.</summary>
    public const int PreparedStatements = 64;

    public static Func<string, NpgsqlDataSource> Connector(IConfiguration configuration)
    {
        var compression = configuration[CompressionSetting] is { Length: > 0 } set ? set.ToLowerInvariant() : DefaultCompression;
        if (!Known.Contains(compression))
            throw new InvalidOperationException($"{CompressionSetting} is '{configuration[CompressionSetting]}'; it must be one of {string.Join(", ", Known)}.");

        return connectionString =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            if (!Names(connectionString, nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare)))
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = PreparedStatements;
            }
            if (compression != "default")
            {
                builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c default_toast_compression={compression}".TrimStart();
            }
            return builder.Build();
        };
    }

    /// <summary>Whether the connection string sets the keyword itself (Npgsql's own builder answers for every keyword it knows, set or not).</summary>
    private static bool Names(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(key => string.Equals(key.Replace(" ", ""), keyword, StringComparison.OrdinalIgnoreCase));
}
