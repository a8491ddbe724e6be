using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    public static void Register(IServiceCollection services, SecuritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var protection = services.AddDataProtection().SetApplicationName("CalfPainTracker");
        // Read at start, so a wrong path or a certificate without its key stops the service there,
        // not at the first sign-in. Without one, Data Protection warns as it makes a key that it is stored unencrypted.
        if (Certificate(settings.KeyRingCertificate, settings.KeyRingCertificateKey, "KeyRingCertificate") is { } certificate)
        {
            protection.ProtectKeysWithCertificate(certificate);
            var previous = Certificate(settings.KeyRingPreviousCertificate, settings.KeyRingPreviousCertificateKey, "KeyRingPreviousCertificate");
            protection.UnprotectKeysWithAnyCertificate(previous is null ? [certificate] : [certificate, previous]);
        }
        else if (!string.IsNullOrWhiteSpace(settings.KeyRingPreviousCertificate))
        {
            throw new InvalidOperationException(
                "Security:KeyRingPreviousCertificate is set without Security:KeyRingCertificate: the previous certificate only opens keys beside a current one that encrypts new keys.");
        }
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = new DataProtectionKeyRing(provider.GetRequiredService<IDocumentStore>())));
    }

    private static X509Certificate2? Certificate(string path, string keyPath, string setting)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(path, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Security:{setting}: cannot read a PEM certificate with its private key from '{path}'{(string.IsNullOrWhiteSpace(keyPath) ? "" : $" and '{keyPath}'")}: {e.Message}", e);
        }
        // The key ring's XML encryption (EncryptedXml) wraps keys with RSA only.
        using var rsa = certificate.GetRSAPrivateKey();
        return rsa is null
            ? throw new InvalidOperationException($"Security:{setting}: '{path}' is not an RSA certificate with its private key; the key ring is encrypted with RSA.")
            : certificate;
    }
}
