using System.Net;
using System.Net.Sockets;

namespace PowerSync.Tests.Replication;

/// <summary>
/// A TCP proxy in front of Postgres that can be frozen: it then stops forwarding in both directions
/// without closing anything, like a half-open connection or a network partition without RST. Thawing
/// heals the partition: the connections that were frozen are reset and new ones are forwarded again.
/// </summary>
internal sealed class FreezableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _thawed = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _sockets = [];
    private readonly Task _acceptLoop;

    public FreezableTcpProxy(string targetHost, int targetPort, bool frozen = false)
    {
        if (frozen) Freeze();
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Stops forwarding (bytes in flight are held back, sockets stay open).</summary>
    public void Freeze() => Volatile.Read(ref _frozen).TrySetResult();

    /// <summary>Ends a freeze: the connections held frozen are reset (both sides see them drop), new ones are forwarded.</summary>
    public void Thaw()
    {
        CancellationTokenSource thawed;
        lock (_pumps)
        {
            thawed = _thawed;
            _thawed = new CancellationTokenSource();
            Volatile.Write(ref _frozen, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        DropConnections();
        thawed.Cancel();
        thawed.Dispose();
    }

    /// <summary>Closes every connection made so far (both sides see the connection drop); new ones still work.</summary>
    public void DropConnections()
    {
        lock (_pumps)
        {
            foreach (var socket in _sockets)
            {
                try
                {
                    // RST, as a crashed peer or a middlebox would send. Sockets a pump already closed have no Client.
                    if (socket.Client is { } client) client.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                {
                }
                socket.Dispose();
            }
            _sockets.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
                lock (_pumps)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                    _pumps.Add(PumpAsync(client, server, _frozen.Task, _thawed.Token));
                    _pumps.Add(PumpAsync(server, client, _frozen.Task, _thawed.Token));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, Task frozen, CancellationToken thawed)
    {
        var buffer = new byte[16384];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (!frozen.IsCompleted)
            {
                var read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0 || frozen.IsCompleted) break;
                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            // Frozen: hold both sockets open, silent, until the proxy thaws or is disposed.
            if (frozen.IsCompleted)
            {
                using var held = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, thawed);
                await Task.Delay(Timeout.Infinite, held.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            // One side closed (or the proxy stops): close the other side too, as a real connection would.
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] pumps;
        lock (_pumps) pumps = [.. _pumps];
        await Task.WhenAll(pumps);
        _stop.Dispose();
        _thawed.Dispose();
    }
}
