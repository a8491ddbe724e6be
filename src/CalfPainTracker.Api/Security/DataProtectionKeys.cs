using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace CalfPainTracker.Security;

/// <summary>One ASP.NET Core Data Protection key ring entry, kept in PostgreSQL so that every node shares the ring.</summary>
public sealed class DataProtectionKey
{
    public string Id { get; set; } = "";
    public string Xml { get; set; } = "";
}

/// <summary>
/// Data Protection's key ring in the event store's database: what one node protects (the service's
/// token signing keys) every other node can unprotect, and a restart loses nothing. The interface
/// is synchronous; it is read once per key ring refresh (about daily), not per request.
/// </summary>
public sealed class DataProtectionKeyRing(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var session = store.QuerySession();
        return session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey { Id = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }

    public static void Register(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("CalfPainTracker");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = new DataProtectionKeyRing(provider.GetRequiredService<IDocumentStore>())));
    }
}
