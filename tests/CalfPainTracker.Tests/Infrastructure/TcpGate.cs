using System.Net;
using System.Net.Sockets;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of PostgreSQL that a test can shut, so the service sees the
/// database go away for real (connections refused and cut) without stopping the shared server.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _running = new();

    public TcpGate(int targetPort)
    {
        _targetPort = targetPort;
        Port = PostgresServer.FreePort();
        Open();
    }

    public int Port { get; }

    public void Open()
    {
        _running = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = Accept(_listener, _running.Token);
    }

    /// <summary>Refuses new connections and cuts every open one.</summary>
    public void Shut()
    {
        _running.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Shut();
        return ValueTask.CompletedTask;
    }

    private async Task Accept(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = Pump(inbound, outbound, stop);
            _ = Pump(outbound, inbound, stop);
        }
    }

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken stop)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The gate was shut or a side hung up: either way this direction is done.
        }
        from.Dispose();
        to.Dispose();
    }
}
