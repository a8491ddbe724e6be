using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>Reads PostgreSQL directly, to check what a request really wrote.</summary>
public static class EventStore
{
    /// <summary>Waits until the async projections (trends) have caught up with every event.</summary>
    public static Task CatchUp(this ApiHost api) => api.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    public static Task<IReadOnlyList<JasperFx.Events.IEvent>> Events(this ApiHost api, Guid clinicId, Guid streamId) => api.Host.Events(clinicId, streamId);

    /// <summary>The stream as the event store holds it, for a host a test started with settings of its own.</summary>
    public static async Task<IReadOnlyList<JasperFx.Events.IEvent>> Events(this Alba.IAlbaHost host, Guid clinicId, Guid streamId)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession(clinicId.ToString());
        return await session.Events.FetchStreamAsync(streamId);
    }

    /// <summary>
    /// The messages the durable inbox holds scheduled for an episode: the message's type name, when
    /// it runs, and its envelope as text (ids, the correlation id and the body are plain ASCII in it).
    /// </summary>
    public static async Task<List<(string Type, DateTimeOffset RunsAt, string Envelope)>> ScheduledFor(string connectionString, string schema, Guid episode)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            $"select message_type, execution_time, body from {schema}.wolverine_incoming_envelopes where status = 'Scheduled' and position(convert_to($1, 'UTF8') in body) > 0 order by message_type");
        command.Parameters.AddWithValue(episode.ToString());
        var found = new List<(string, DateTimeOffset, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add((reader.GetString(0).Split('.', '+')[^1], reader.GetFieldValue<DateTimeOffset>(1), System.Text.Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2))));
        }
        return found;
    }
}
