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
/// </summary>
public static class DocumentDatabases
{
    public const string CompressionSetting = "Marten:DocumentCompression";

    /// <summary>PostgreSQL 14 or later built with lz4 (the Debian, Ubuntu and Docker packages and the managed services are).</summary>
    private const string DefaultCompression = "lz4";

    /// <summary><c>default</c> leaves the server's own setting.</summary>
    private static readonly string[] Known = ["lz4", "pglz", "default"];

    public static Func<string, NpgsqlDataSource> Connector(IConfiguration configuration)
    {
        var compression = configuration[CompressionSetting] is { Length: > 0 } set ? set.ToLowerInvariant() : DefaultCompression;
        if (!Known.Contains(compression))
            throw new InvalidOperationException($"{CompressionSetting} is '{configuration[CompressionSetting]}'; it must be one of {string.Join(", ", Known)}.");

        return connectionString =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            if (compression != "default")
            {
                builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c default_toast_compression={compression}".TrimStart();
            }
            return builder.Build();
        };
    }
}
