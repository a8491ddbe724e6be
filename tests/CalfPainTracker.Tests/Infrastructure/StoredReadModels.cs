using Npgsql;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// The rows of the three read models (episode, dashboard row, trend) as PostgreSQL holds them,
/// for tests that wipe and rebuild them: compared whole, with their revisions.
/// </summary>
public static class StoredReadModels
{
    public static readonly string[] Tables = ["mt_doc_episode", "mt_doc_patienttriage", "mt_doc_episodetrend"];

    /// <summary>
    /// Every row of the three tables (of <paramref name="clinics"/> only, when given) as the SQL
    /// <paramref name="expression"/> gives it followed by its table's name, in order.
    /// </summary>
    public static async Task<List<string>> Rows(string connectionString, string schema, string expression, params string[] clinics)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        var rows = new List<string>();
        foreach (var table in Tables)
        {
            await using var query = database.CreateCommand(
                $"select ({expression}) || ' {table}' from {schema}.{table} where cardinality($1::text[]) = 0 or tenant_id = any($1) order by 1");
            query.Parameters.AddWithValue(clinics);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        return rows;
    }

    /// <summary>
    /// Deletes the rows of <paramref name="clinics"/> (a kept database holds earlier runs' clinics
    /// too); how many each table held, in the order of <see cref="Tables"/>.
    /// </summary>
    public static async Task<List<int>> Wipe(string connectionString, string schema, params string[] clinics)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        var deleted = new List<int>();
        foreach (var table in Tables)
        {
            await using var wipe = database.CreateCommand($"delete from {schema}.{table} where tenant_id = any($1)");
            wipe.Parameters.AddWithValue(clinics);
            deleted.Add(await wipe.ExecuteNonQueryAsync());
        }
        return deleted;
    }

    /// <summary>How many of the three read models' progress rows stand at the database's last event.</summary>
    public static async Task<long> AtLastEvent(string connectionString, string schema)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var progress = database.CreateCommand(
            $"select count(*) from {schema}.mt_event_progression where name in ('Episode:All', 'PatientTriage:All', 'EpisodeTrend:All') and last_seq_id = (select max(seq_id) from {schema}.mt_events)");
        return (long)(await progress.ExecuteScalarAsync())!;
    }
}
