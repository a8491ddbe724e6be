using Marten;
using Npgsql;
using Weasel.Postgresql;

namespace CalfPainTracker.Operations;

/// <summary>
/// Drops, in every database, the tables and functions of read models the service no longer
/// keeps, at each start. A retired read model would otherwise sit there for good, outside the
/// erasure's reach: the whole-episode trend documents (<c>mt_doc_episodetrend</c>, replaced by one
/// document per month on 2 December 2026) written before 1 December 2026 held every check-in in
/// full, patients' notes included. Read models are rebuilt from the events, so nothing is lost.
/// </summary>
public sealed class RetiredReadModels(IDocumentStore store, ILogger<RetiredReadModels> logger) : IHostedService
{
    private static readonly string[] Retired = ["episodetrend"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.DatabaseSchemaName;
        foreach (var database in (await store.Storage.AllDatabases()).Cast<PostgresqlDatabase>())
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
            connection.Notice += (_, e) => logger.LogInformation("Dropped the retired read model {Retired} in database {Database}", e.Notice.MessageText, database.Identifier);
            await using var command = new NpgsqlCommand($"""
                do $$
                declare retired text; routine regprocedure;
                begin
                  foreach retired in array array['{string.Join("','", Retired)}'] loop
                    if to_regclass('{schema}.mt_doc_' || retired) is not null then
                      execute format('drop table %I.%I', '{schema}', 'mt_doc_' || retired);
                      raise notice '%', retired;
                    end if;
                    for routine in select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                                   where n.nspname = '{schema}' and p.proname in ('mt_upsert_' || retired, 'mt_insert_' || retired, 'mt_update_' || retired, 'mt_overwrite_' || retired) loop
                      execute format('drop function %s', routine);
                    end loop;
                  end loop;
                end $$;
                """, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
