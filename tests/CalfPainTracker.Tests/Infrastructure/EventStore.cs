using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;

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
}
