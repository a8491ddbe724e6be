using CalfPainTracker.Tests.Infrastructure;
using Npgsql;

namespace CalfPainTracker.Tests.Operations;

/// <summary>
/// Every lookup on a clinic's documents is for one clinic, and its statement is prepared: a plan
/// made once for any clinic must find the clinic in the same index as the value looked up, or
/// PostgreSQL intersects two indexes and a physiotherapist's dashboard reads every clinic's rows.
/// </summary>
public sealed class ClinicIndexTests
{
    [Fact]
    public async Task Every_index_on_a_clinics_documents_holds_the_clinic()
    {
        const string schema = "calfpain_clinic_indexes";
        var connectionString = await PostgresServer.ConnectionString;
        await using (await ApiHost.Start(connectionString, schema, TimeProvider.System)) { }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            select i.indexname, i.indexdef from pg_indexes i
            join information_schema.columns c on c.table_schema = i.schemaname and c.table_name = i.tablename and c.column_name = 'tenant_id'
            where i.schemaname = $1 and i.tablename like 'mt_doc_%' and i.indexname like '%_idx_%'
            order by 1
            """);
        command.Parameters.AddWithValue(schema);
        var indexes = new List<(string Name, string Definition)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        Assert.Contains(indexes, index => index.Name == "mt_doc_patienttriage_idx_physiotherapist_id");
        Assert.All(indexes, index => Assert.Contains("tenant_id", index.Definition));
    }
}
