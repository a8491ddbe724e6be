using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.Security;
using Npgsql;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// What a service with many open episodes costs when nobody uses it (issue 20): opens the
/// episodes over HTTP as patients would (each with a few daily check-ins, so each holds the
/// scheduled missed-check-in checks and the reminder chain the service keeps for it), lets the
/// service settle, then counts what PostgreSQL did on each table of the service's schema and
/// the CPU the service and its database sessions spent over a minute without a request.
/// </summary>
public static class Idle
{
    private static readonly string[] Counters = ["seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins", "n_tup_upd", "n_tup_del"];

    public static async Task<int> Run(Uri service, string connectionString, string schema, int count, int overHttp, int pid, JwtSettings jwt,
        int checkInsPerEpisode, int concurrency, int settleSeconds, int seconds, string? jsonPath)
    {
        var result = new JsonObject { ["schema"] = schema, ["seconds"] = seconds, ["settleSeconds"] = settleSeconds };
        if (count > 0)
        {
            result["episodes"] = count;
            var opened = Math.Min(count, overHttp);
            result["open"] = await Open(service, opened, jwt, checkInsPerEpisode, concurrency);
            if (count > opened)
            {
                // Let the check-ins' own scheduled messages and projections land before they are copied.
                await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
                result["cloned"] = await Clone(connectionString, schema, (count - 1) / opened);
            }
        }

        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        result["envelopes"] = await Envelopes(connectionString, schema);
        // The writes of the opening (durable inbox inserts, outbox deliveries) finish, and every
        // session's statistics reach the cumulative views, before the minute starts.
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds));

        var service0 = Process.GetProcessById(pid).TotalProcessorTime;
        var backends0 = BackendCpu(database);
        var tables0 = await Tables(connectionString, schema);
        var statements = await ResetStatements(connectionString);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var tables1 = await Tables(connectionString, schema);
        var elapsed = clock.Elapsed.TotalSeconds;
        var service1 = Process.GetProcessById(pid).TotalProcessorTime;
        var backends1 = BackendCpu(database);

        var perMinute = 60 / elapsed;
        var tables = new JsonObject();
        foreach (var (table, after) in tables1.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var before = tables0.GetValueOrDefault(table) ?? new long[Counters.Length];
            var delta = after.Zip(before, (a, b) => a - b).ToArray();
            if (delta.All(d => d == 0)) continue;
            var row = new JsonObject();
            for (var i = 0; i < Counters.Length; i++) row[Counters[i]] = Math.Round(delta[i] * perMinute);
            tables[table] = row;
        }
        result["measuredSeconds"] = Math.Round(elapsed, 1);
        result["tablesPerMinute"] = tables;
        result["seqTupReadPerMinute"] = tables.Sum(t => t.Value!["seq_tup_read"]!.GetValue<double>());
        result["seqScanPerMinute"] = tables.Sum(t => t.Value!["seq_scan"]!.GetValue<double>());
        result["serviceCpuSecondsPerMinute"] = Math.Round((service1 - service0).TotalSeconds * perMinute, 3);
        // Sessions that lived through the whole minute; one opened or closed inside it is left out.
        result["postgresBackendCpuSecondsPerMinute"] = Math.Round(
            backends1.Where(b => backends0.ContainsKey(b.Key)).Sum(b => b.Value - backends0[b.Key]) * perMinute, 3);
        if (statements) result["statementsPerMinute"] = await Statements(connectionString, database, perMinute);

        var text = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, text);
        else Console.WriteLine(text);
        Console.Error.WriteLine(FormattableString.Invariant(
            $"idle: {result["seqScanPerMinute"]} sequential scans reading {result["seqTupReadPerMinute"]} rows a minute; service {result["serviceCpuSecondsPerMinute"]} CPU s a minute"));
        return 0;
    }

    /// <summary>
    /// Each episode by a patient of its own, with its onset a few days back and one check-in a
    /// day up to today: every check-in moves the latest day, as a patient checking in daily does.
    /// </summary>
    private static async Task<JsonObject> Open(Uri service, int count, JwtSettings jwt, int checkIns, int concurrency)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var onset = today.AddDays(-Math.Max(checkIns, 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var clinics = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(120) };
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var token = AlertLatency.Token(jwt, new Caller(Guid.NewGuid(), Role.Patient, clinics[i % clinics.Length]));
            var opened = await AlertLatency.Send(http, token, "/api/episodes", new { side = i % 2 == 0 ? "left" : "right", suspectedCause = "calf-strain", onsetDate = onset, timeZone = "UTC" });
            var episodeId = opened!["id"]!.GetValue<Guid>();
            for (var d = checkIns - 1; d >= 0; d--)
            {
                await AlertLatency.Send(http, token, $"/api/episodes/{episodeId}/check-ins", new
                {
                    checkInId = Guid.NewGuid(), day = today.AddDays(-d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), painLevel = 2,
                    painAtRest = false, painAtNight = false, swelling = "none", canWalkComfortably = true, restHours = 1.5, iceMinutes = 10,
                    heatMinutes = 0, stretchingMinutes = 15, nsaidTaken = false, symptoms = Array.Empty<string>(), notes = (string?)null,
                });
            }
            if (Interlocked.Increment(ref done) % 5000 == 0) Console.Error.WriteLine(FormattableString.Invariant($"idle: {done} episodes open ({clock.Elapsed.TotalSeconds:0} s)"));
        });
        var secondsTaken = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(FormattableString.Invariant($"idle: opened {count} episodes with {checkIns} check-ins each in {secondsTaken:0.0} s ({count / secondsTaken:0} episodes/s)"));
        return new JsonObject { ["episodes"] = count, ["checkInsPerEpisode"] = checkIns, ["concurrency"] = concurrency, ["seconds"] = Math.Round(secondsTaken, 1) };
    }

    /// <summary>
    /// Opening episodes over HTTP on two shared cores runs at tens a second, so beyond the first
    /// few thousand the rest are copies made in SQL, <paramref name="copies"/> of each: the
    /// episode's stream, events and documents under a new id, and its scheduled messages
    /// (missed-check-in checks, reminder) with their bodies as the service wrote them. A copy's
    /// events and documents name the copy; its messages name the original episode, and none comes
    /// due while it is measured.
    /// </summary>
    private static async Task<JsonObject> Clone(string connectionString, string schema, int copies)
    {
        var clock = Stopwatch.StartNew();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        // Each table, and how a copy's key is made from the original's and the copy number k.
        (string Table, string Key, string Where)[] tables =
        [
            ("mt_streams", "id", "true"),
            // Ordered by sequence (below), so the daemon folds each copy's events in the order of the original's.
            ("mt_events", "stream_id", "true"),
            ("mt_doc_episode", "id", "true"),
            ("mt_doc_patienttriage", "id", "true"),
            ("mt_doc_reminderchain", "id", "true"),
            ("wolverine_incoming_envelopes", "id", "status = 'Scheduled'"),
        ];
        var rows = new JsonObject();
        await using var connection = await dataSource.OpenConnectionAsync();
        // One transaction. The async trend documents are not copied: the running daemon builds
        // them from the copied events, as it would for episodes opened over HTTP, before the minute.
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var (table, key, where) in tables)
        {
            await using var columns = new NpgsqlCommand("select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position", connection);
            columns.Parameters.Add(new() { Value = schema });
            columns.Parameters.Add(new() { Value = table });
            var names = new List<string>();
            await using (var reader = await columns.ExecuteReaderAsync()) while (await reader.ReadAsync()) names.Add(reader.GetString(0));
            var copy = $"md5({key}::text || ':' || k)::uuid";
            var values = names.Select(c => c switch
            {
                _ when c == key => copy,
                "seq_id" => $"nextval('{schema}.mt_events_sequence')",
                "id" when table == "mt_events" => "gen_random_uuid()",
                // The bodies name the episode too (EpisodeOpened's id is the one the trend projection
                // creates its document with): a copy that kept the original's would collide with it.
                "data" when table.StartsWith("mt_", StringComparison.Ordinal) => $"replace(data::text, {key}::text, {copy}::text)::jsonb",
                _ => c,
            });
            await using var insert = new NpgsqlCommand(
                $"insert into {schema}.{table} ({string.Join(", ", names)}) select {string.Join(", ", values)} from {schema}.{table} cross join generate_series(1, {copies}) k where {where}{(names.Contains("seq_id") ? " order by k, seq_id" : "")}", connection);
            insert.CommandTimeout = 0;
            rows[table] = await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        var copied = clock.Elapsed.TotalSeconds;
        await using (var behind = new NpgsqlCommand(
            $"select (select max(seq_id) from {schema}.mt_events) - coalesce((select min(last_seq_id) from {schema}.mt_event_progression where name like '%:All'), 0)", connection))
        {
            while ((long)(await behind.ExecuteScalarAsync())! > 0)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException("idle: the async projections did not catch up with the copies in 30 minutes.");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        await using (var analyze = new NpgsqlCommand($"vacuum analyze {schema}.mt_events, {schema}.wolverine_incoming_envelopes", connection)) await analyze.ExecuteNonQueryAsync();
        Console.Error.WriteLine(FormattableString.Invariant(
            $"idle: {copies} copies of each episode made in SQL in {copied:0.0} s; the async projections caught up {clock.Elapsed.TotalSeconds - copied:0.0} s later"));
        return new JsonObject
        {
            ["copiesOfEach"] = copies, ["rows"] = rows, ["seconds"] = Math.Round(copied, 1),
            ["projectionsCaughtUpSeconds"] = Math.Round(clock.Elapsed.TotalSeconds - copied, 1),
        };
    }

    /// <summary>What the durable inbox holds, by state and message type (counted before the minute: this count reads the whole table).</summary>
    private static async Task<JsonObject> Envelopes(string connectionString, string schema)
    {
        var envelopes = new JsonObject();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select status, message_type, count(*) from {schema}.wolverine_incoming_envelopes group by 1, 2 order by 1, 2", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) envelopes[$"{reader.GetString(0)} {reader.GetString(1)}"] = reader.GetInt64(2);
        return envelopes;
    }

    private static async Task<Dictionary<string, long[]>> Tables(string connectionString, string schema)
    {
        var tables = new Dictionary<string, long[]>();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        // A snapshot of the cumulative counters taken now, not the one cached at the start of this session's transaction.
        await using (var clear = new NpgsqlCommand("select pg_stat_clear_snapshot()", connection)) await clear.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            $"select relname, {string.Join(", ", Counters.Select(c => $"coalesce({c}, 0)"))} from pg_stat_user_tables where schemaname = $1", connection)
        { Parameters = { new() { Value = schema } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables[reader.GetString(0)] = Enumerable.Range(1, Counters.Length).Select(reader.GetInt64).ToArray();
        }
        return tables;
    }

    /// <summary>pg_stat_statements, where the server loads it (shared_preload_libraries), says which statements did the scanning.</summary>
    private static async Task<bool> ResetStatements(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var loaded = new NpgsqlCommand("select current_setting('shared_preload_libraries') like '%pg_stat_statements%'", connection);
        if (!(bool)(await loaded.ExecuteScalarAsync())!) return false;
        await using var create = new NpgsqlCommand("create extension if not exists pg_stat_statements; select pg_stat_statements_reset()", connection);
        await create.ExecuteNonQueryAsync();
        return true;
    }

    private static async Task<JsonArray> Statements(string connectionString, string database, double perMinute)
    {
        var statements = new JsonArray();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select calls, rows, shared_blks_hit + shared_blks_read, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 300)
            from pg_stat_statements s join pg_database d on d.oid = s.dbid
            where d.datname = $1 and query not like '%pg_stat%'
            order by shared_blks_hit + shared_blks_read desc, calls desc limit 25
            """, connection) { Parameters = { new() { Value = database } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statements.Add(new JsonObject
            {
                ["calls"] = Math.Round(reader.GetInt64(0) * perMinute),
                ["rows"] = Math.Round(reader.GetInt64(1) * perMinute),
                ["blocks"] = Math.Round(reader.GetInt64(2) * perMinute),
                ["ms"] = Math.Round(reader.GetDouble(3) * perMinute, 1),
                ["query"] = reader.GetString(4),
            });
        }
        return statements;
    }

    /// <summary>CPU seconds of each PostgreSQL session connected to the database, by process id (Linux /proc; sessions on this machine only).</summary>
    private static Dictionary<int, double> BackendCpu(string database)
    {
        const double ticks = 100; // USER_HZ: 100 on every Linux this runs on
        var backends = new Dictionary<int, double>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id)) continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (!command.StartsWith("postgres: ", StringComparison.Ordinal) || !command.Contains($" {database} ", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                backends[id] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ticks;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The session ended while being read.
            }
        }
        return backends;
    }
}
