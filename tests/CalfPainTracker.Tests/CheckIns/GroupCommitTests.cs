using System.Net;
using System.Net.Http.Json;
using Alba;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CalfPainTracker.Tests.CheckIns;

/// <summary>
/// Check-ins that arrive together are written in one transaction, and each patient still gets
/// the answer to their own: the alerts of their check-in, their own audit trail, and a failure
/// of somebody else's check-in never costs them theirs. The batch is made deterministic by
/// holding one episode's lock from outside while the others queue behind it.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const string Schema = "calfpain_group_commit";
    private const string Poison = "this note makes the database refuse the check-in";
    private IAlbaHost host = null!;
    private string connectionString = null!;

    public async ValueTask InitializeAsync()
    {
        connectionString = await PostgresServer.ConnectionString;
        // Batching on, with one writer, so every queued check-in goes into the same next transaction.
        host = await ApiHost.Start(connectionString, Schema, ApiHost.TestClock(), builder =>
        {
            builder.UseSetting("CheckIns:BatchSize", "64");
            builder.UseSetting("CheckIns:Writers", "1");
        });
    }

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Check_ins_that_arrive_together_are_committed_together_and_each_patient_gets_their_own_answer()
    {
        var clinic = new TestClinic(host);
        var (blocker, blockerEpisode) = await PatientWithEpisode(clinic);
        var patients = new List<(TestUser Patient, Guid Episode)>();
        for (var i = 0; i < 8; i++) patients.Add(await PatientWithEpisode(clinic));

        // The fourth patient is short of breath: only they get the emergency.
        var answers = await SentTogether(blockerEpisode, () => blocker.LogCheckIn(blockerEpisode, TestUser.CheckIn("2026-11-01")),
            [.. patients.Select((p, i) => (Func<Task<HttpResponseMessage>>)(() => Send(p.Patient, p.Episode,
                TestUser.CheckIn("2026-11-01", pain: 4, with: i == 3 ? new { symptoms = new[] { "shortness-of-breath" } } : null), $"batch-{i}")))]);
        for (var i = 0; i < patients.Count; i++)
        {
            var body = await answers[i + 1].ShouldBe(HttpStatusCode.Created);
            Assert.Equal(i == 3 ? 1 : 0, body["alerts"]!.AsArray().Count);
        }

        var stored = new List<JasperFx.Events.IEvent>();
        foreach (var (patient, episode) in patients)
        {
            var events = await host.Events(clinic.Id, episode);
            var logged = Assert.Single(events, e => e.Data is CheckInLogged);
            Assert.Equal(patient.Id.ToString(), logged.UserName);
            stored.Add(logged);
        }
        // One transaction: every row it wrote carries its transaction id.
        Assert.Equal(1, await TransactionsThatWrote(stored.Select(e => e.Id)));
        Assert.Equal(patients.Select((_, i) => $"batch-{i}"), stored.Select(e => e.CorrelationId));
        // The emergency's escalation check, scheduled in the same transaction, carries its own request's id, not the batch's last.
        Assert.Equal(["batch-3"], await EscalationChecksFor(patients[3].Episode, patients.Select((_, i) => $"batch-{i}")));
    }

    [Fact]
    public async Task A_check_in_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_stored()
    {
        await PoisonNotes();
        var clinic = new TestClinic(host);
        var (blocker, blockerEpisode) = await PatientWithEpisode(clinic);
        var patients = new List<(TestUser Patient, Guid Episode)>();
        for (var i = 0; i < 6; i++) patients.Add(await PatientWithEpisode(clinic));

        var answers = await SentTogether(blockerEpisode, () => blocker.LogCheckIn(blockerEpisode, TestUser.CheckIn("2026-11-01")),
            [.. patients.Select((p, i) => (Func<Task<HttpResponseMessage>>)(() => p.Patient.LogCheckIn(p.Episode,
                TestUser.CheckIn("2026-11-01", with: i == 2 ? new { notes = Poison } : null))))]);
        await answers[0].ShouldBe(HttpStatusCode.Created);
        for (var i = 0; i < patients.Count; i++)
        {
            var checkIns = (await host.Events(clinic.Id, patients[i].Episode)).Count(e => e.Data is CheckInLogged);
            if (i == 2)
            {
                Assert.False(answers[i + 1].IsSuccessStatusCode);
                Assert.Equal(0, checkIns);
            }
            else
            {
                await answers[i + 1].ShouldBe(HttpStatusCode.Created);
                Assert.Equal(1, checkIns);
            }
        }
    }

    [Fact]
    public async Task The_same_check_in_sent_twice_at_once_is_stored_once_and_both_answers_agree()
    {
        var clinic = new TestClinic(host);
        var (patient, episode) = await PatientWithEpisode(clinic);
        var checkIn = TestUser.CheckIn("2026-11-01", pain: 5);
        var secondDay = TestUser.CheckIn("2026-11-02", pain: 4);

        var answers = await SentTogether(episode, () => patient.LogCheckIn(episode, checkIn),
            [() => patient.LogCheckIn(episode, checkIn), () => patient.LogCheckIn(episode, secondDay)]);
        var bodies = new[] { await answers[0].ShouldBe(HttpStatusCode.Created), await answers[1].ShouldBe(HttpStatusCode.Created) };
        Assert.Equal(bodies[0].ToJsonString(), bodies[1].ToJsonString());
        Assert.Equal("true", Assert.Single(answers[1].Headers.GetValues("Idempotent-Replayed")));
        await answers[2].ShouldBe(HttpStatusCode.Created);
        var days = (await host.Events(clinic.Id, episode)).Select(e => e.Data).OfType<CheckInLogged>().Select(e => e.CheckIn.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["2026-11-01", "2026-11-02"], days);
    }

    /// <summary>
    /// Sends <paramref name="first"/> for an episode held locked from outside, so the writer waits on it,
    /// then the rest; they queue behind it and, once the lock is let go, are written as one batch.
    /// </summary>
    private async Task<HttpResponseMessage[]> SentTogether(Guid heldEpisode, Func<Task<HttpResponseMessage>> first, IReadOnlyList<Func<Task<HttpResponseMessage>>> rest)
    {
        Task<HttpResponseMessage>[] sent;
        await using (await HoldEpisode(heldEpisode))
        {
            var waitingOnTheLock = first();
            await WaitUntil(async () => await WaitingOnALock() > 0);
            sent = [waitingOnTheLock, .. rest.Select(send => send())];
            await WaitUntil(() => Task.FromResult(Writer.Waiting == rest.Count));
        }
        return await Task.WhenAll(sent);
    }

    private CheckInWriter Writer => host.Services.GetRequiredService<CheckInWriter>();

    private static async Task<(TestUser, Guid)> PatientWithEpisode(TestClinic clinic)
    {
        var patient = clinic.Patient();
        return (patient, await patient.OpenEpisode());
    }

    private static Task<HttpResponseMessage> Send(TestUser patient, Guid episode, object checkIn, string correlationId)
    {
        var client = patient.Client();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", correlationId);
        return client.PostAsJsonAsync($"/api/episodes/{episode}/check-ins", checkIn, TestUser.Json);
    }

    /// <summary>Another writer's lock on the episode's stream, released when disposed.</summary>
    private async Task<IAsyncDisposable> HoldEpisode(Guid episode)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var select = new NpgsqlCommand($"SELECT 1 FROM {Schema}.mt_streams WHERE id = $1 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = episode } },
        };
        await select.ExecuteScalarAsync();
        return new Held(connection, transaction);
    }

    private async Task<long> WaitingOnALock()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%{Schema}.mt_streams%'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Of <paramref name="correlationIds"/>, those found in the episode's scheduled escalation checks.</summary>
    private async Task<List<string>> EscalationChecksFor(Guid episode, IEnumerable<string> correlationIds) =>
        [.. (await EventStore.ScheduledFor(connectionString, Schema, episode))
            .Where(m => m.Type == nameof(EscalateIfUnacknowledged))
            .SelectMany(m => correlationIds.Where(id => m.Envelope.Contains(id, StringComparison.Ordinal)))];

    private async Task<long> TransactionsThatWrote(IEnumerable<Guid> events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(DISTINCT xmin::text) FROM {Schema}.mt_events WHERE id = ANY($1)", connection)
        {
            Parameters = { new() { Value = events.ToArray() } },
        };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>A trigger that refuses any event holding <see cref="Poison"/>: a failure only the database finds, at commit.</summary>
    private async Task PoisonNotes()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"""
            CREATE OR REPLACE FUNCTION {Schema}.refuse_poisoned_notes() RETURNS trigger AS $$
            BEGIN
              IF NEW.data::text LIKE '%{Poison}%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS refuse_poisoned_notes ON {Schema}.mt_events;
            CREATE TRIGGER refuse_poisoned_notes BEFORE INSERT ON {Schema}.mt_events FOR EACH ROW EXECUTE FUNCTION {Schema}.refuse_poisoned_notes();
            """, connection);
        await create.ExecuteNonQueryAsync();
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition()) await Task.Delay(20, patience.Token);
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
