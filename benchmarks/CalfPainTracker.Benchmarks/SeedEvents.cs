using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Operations;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Seeds an event store for the rebuild benchmark with Marten's COPY-based bulk append:
/// episodes shaped like real ones (EpisodeOpened, PhysiotherapistAssigned, then one
/// CheckInLogged a day, mostly low-risk), the service's own event types, spread over clinics
/// (conjoined tenants), until <c>checkIns</c> check-in events are stored, then renumbered into
/// the order they happened. The schema must already exist (the service made it: `db-apply`).
/// </summary>
public static class SeedEvents
{
    public static async Task<int> Run(string connectionString, string schema, int checkIns, int perEpisode, int clinics, string? jsonPath)
    {
        // The event store as the service configures it (Program.cs): the same serializer, tenancy and metadata.
        await using var store = DocumentStore.For(opts =>
        {
            opts.Connection(connectionString);
            opts.DatabaseSchemaName = schema;
            opts.Serializer(StoredJson.ForService());
            opts.Policies.AllDocumentsAreMultiTenanted();
            opts.Events.TenancyStyle = JasperFx.MultiTenancy.TenancyStyle.Conjoined;
            opts.Events.MetadataConfig.CorrelationIdEnabled = true;
            opts.Events.MetadataConfig.HeadersEnabled = true;
            opts.Events.MetadataConfig.UserNameEnabled = true;
            opts.AutoCreateSchemaObjects = AutoCreate.None;
        });

        var random = new Random(10);
        var clinicIds = Enumerable.Range(0, clinics).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var physios = clinicIds.Select(_ => Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray()).ToArray();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var clock = Stopwatch.StartNew();
        long events = 0, streams = 0, stored = 0;
        const int streamsPerBatch = 500;

        var episodeIndex = 0;
        while (stored < checkIns)
        {
            var clinic = episodeIndex % clinics;
            var batch = new List<StreamAction>(streamsPerBatch);
            for (var s = 0; s < streamsPerBatch && stored < checkIns; s++, episodeIndex++)
            {
                var days = (int)Math.Min(perEpisode, checkIns - stored);
                var onset = today.AddDays(-days - random.Next(0, 30));
                var openedAt = new DateTimeOffset(onset.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
                var id = Guid.CreateVersion7(openedAt);
                var patient = Guid.NewGuid();
                var stream = new List<object>(days + 2)
                {
                    new EpisodeOpened(id, patient, random.Next(2) == 0 ? Side.Left : Side.Right, SuspectedCause.CalfStrain, onset, "Europe/London", RiskFactors.None, openedAt),
                    new PhysiotherapistAssigned(id, physios[clinic][random.Next(10)], openedAt.AddMinutes(5)),
                };
                var pain = random.Next(5, 9);
                for (var d = 0; d < days; d++)
                {
                    var day = onset.AddDays(d);
                    if (d > 0 && d % 4 == 0 && pain > 0) pain--;
                    stream.Add(new CheckInLogged(id, new CheckIn(
                        Guid.NewGuid(), day, pain, PainAtRest: false, PainAtNight: false,
                        d < 5 ? Swelling.Mild : Swelling.None, SwellingAtAnkle: false, CalfCircumferenceCm: null,
                        RestHours: 2, IceMinutes: d < 7 ? 20 : 0, HeatMinutes: d >= 7 ? 15 : 0, StretchingMinutes: d >= 3 ? 10 : 0,
                        NsaidTaken: d < 3, CanWalkComfortably: d >= 5, Symptoms: [], Notes: d % 10 == 0 ? "Walked to the shop and back." : null,
                        new DateTimeOffset(day.ToDateTime(new TimeOnly(20, 30)), TimeSpan.Zero))));
                }
                var action = StreamAction.Start(store.Events, id, [.. stream]);
                action.AggregateType = typeof(Episode);
                foreach (var e in action.Events)
                {
                    e.UserName = patient.ToString();
                    e.CorrelationId = "bench-seed";
                }
                batch.Add(action);
                stored += days;
                events += stream.Count;
                streams++;
            }
            await store.BulkInsertEventsAsync(clinicIds[clinic], batch, 10_000);
            if (streams % 5000 < streamsPerBatch) Console.Error.WriteLine(FormattableString.Invariant($"seed-events: {events:N0} events, {streams:N0} episodes, {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(FormattableString.Invariant($"seed-events: {events:N0} events ({stored:N0} check-ins) in {streams:N0} episodes, {seconds:0.0} s, {events / seconds:N0} events/s"));
        await StoreInTheOrderTheyHappened(connectionString, schema);
        Console.Error.WriteLine(FormattableString.Invariant($"seed-events: renumbered into the order they happened in {clock.Elapsed.TotalSeconds - seconds:0.0} s"));
        if (jsonPath is not null)
        {
            var result = new JsonObject { ["events"] = events, ["checkIns"] = stored, ["episodes"] = streams, ["clinics"] = clinics, ["seconds"] = seconds, ["eventsPerSecond"] = events / seconds };
            await File.WriteAllTextAsync(jsonPath, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    /// <summary>
    /// A live store records events as they happen, so each page the projection daemon reads holds
    /// one evening's check-ins from hundreds of episodes, not one episode's whole history (which
    /// is how bulk insertion stores them, and which would let a rebuild write each document once
    /// instead of once per page). Sequence numbers are renumbered by the time each event records.
    /// </summary>
    static async Task StoreInTheOrderTheyHappened(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var renumber = connection.CreateCommand();
        renumber.CommandTimeout = 0;
        var events = $"{schema}.mt_events";
        renumber.CommandText = $"""
            CREATE TEMP TABLE happened AS
              SELECT seq_id, row_number() OVER (
                ORDER BY coalesce(data->'checkIn'->>'loggedAt', data->>'assignedAt', data->>'openedAt')::timestamptz, stream_id, version) AS position
              FROM {events};
            UPDATE {events} e SET seq_id = -h.position FROM happened h WHERE e.seq_id = h.seq_id;
            UPDATE {events} SET seq_id = -seq_id;
            """;
        await renumber.ExecuteNonQueryAsync();
    }
}
