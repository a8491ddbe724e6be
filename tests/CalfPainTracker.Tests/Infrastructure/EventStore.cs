using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>Reads PostgreSQL directly, to check what a request really wrote.</summary>
public static class EventStore
{
    /// <summary>Waits until the async projections (trends) have caught up with every event.</summary>
    public static Task CatchUp(this ApiHost api) => api.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    public static async Task<IReadOnlyList<JasperFx.Events.IEvent>> Events(this ApiHost api, Guid clinicId, Guid streamId)
    {
        await using var session = api.Host.Services.GetRequiredService<IDocumentStore>().QuerySession(clinicId.ToString());
        return await session.Events.FetchStreamAsync(streamId);
    }
}
