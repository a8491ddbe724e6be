using System.Net;
using System.Net.Sockets;

namespace CalfPainTracker.Notifications;

/// <summary>
/// Where a webhook or a push message may be sent: to the public internet only, so that a URL a
/// clinic admin types or a browser hands over (or a name that resolves elsewhere by the time of
/// delivery) cannot make the service call its own network, the cloud's metadata address or the database. Checked when the webhook is
/// registered and again on the address each delivery actually connects to.
/// </summary>
public static class WebhookTarget
{
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Networks that are not the public internet: this host, private and carrier-grade NAT ranges, link-local, multicast, documentation and reserved ranges.</summary>
    private static readonly IPNetwork[] NotPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Whether <paramref name="address"/> is on the public internet, including an IPv4 address carried inside an IPv6 one.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var carried = CarriedIPv4(address) ?? address;
        return !NotPublic.Any(network => network.Contains(carried));
    }

    /// <summary>Why <paramref name="url"/> may not be sent to, or null when it may: its host must resolve, and only to public addresses. <paramref name="field"/> names it in the message.</summary>
    public static async Task<string?> Refusal(Uri url, NotificationSettings settings, CancellationToken cancellation, string field = "url")
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(settings);
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(ResolveTimeout);
            addresses = await Dns.GetHostAddressesAsync(url.IdnHost, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException && !cancellation.IsCancellationRequested)
        {
            addresses = [];
        }
        if (addresses.Length == 0) return $"'{field}' names the host '{url.IdnHost}', which does not resolve to an address.";
        if (settings.AllowPrivateAddresses || addresses.All(IsPublic)) return null;
        return $"'{field}' is or resolves to a loopback, private, link-local or otherwise non-public address, which is not allowed here.";
    }

    /// <summary>
    /// Connects a delivery only to public addresses, checking the names as they resolve at
    /// delivery time (DNS may have changed since registration) and then the address actually
    /// connected to.
    /// </summary>
    public static async ValueTask<Stream> Connect(DnsEndPoint endpoint, NotificationSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellation);
        if (!settings.AllowPrivateAddresses && !addresses.All(IsPublic)) throw new AddressNotAllowedException();

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellation);
            if (!settings.AllowPrivateAddresses && socket.RemoteEndPoint is IPEndPoint { Address: var connected } && !IsPublic(connected))
            {
                throw new AddressNotAllowedException();
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // ::a.b.c.d (IPv4-compatible, which includes :: and ::1), ::ffff:a.b.c.d (mapped) and
    // 64:ff9b::a.b.c.d (NAT64) carry it in their last 32 bits; 2002:aabb:ccdd::/48 (6to4) in bits 16-47.
    private static IPAddress? CarriedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return null;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 || Nat64.Contains(address)) return new IPAddress(bytes.AsSpan(12, 4));
        if (SixToFour.Contains(address)) return new IPAddress(bytes.AsSpan(2, 4));
        return null;
    }
}

/// <summary>A delivery's host is or resolves to an address webhooks may not reach.</summary>
public sealed class AddressNotAllowedException : IOException
{
    public AddressNotAllowedException() : base("The webhook's host resolves to an address that is not allowed.") { }
}
