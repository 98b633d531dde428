using System.Net;
using System.Net.Sockets;

namespace PowerSync.Tests.Replication;

/// <summary>
/// A TCP proxy (in front of Postgres, or between a client and a backend) that injects network faults:
/// frozen, it stops forwarding in both directions without closing anything, like a half-open connection
/// or a partition without RST, until thawed; dropping resets every connection, and refusing resets new
/// ones too until connections are accepted again.
/// </summary>
internal sealed class FreezableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _sockets = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _thawed = NewGate(open: true);
    private volatile bool _refusing;

    /// <param name="frozen">Start frozen: nothing gets through until <see cref="Thaw"/> (a source unreachable from the start).</param>
    public FreezableTcpProxy(string targetHost, int targetPort, bool frozen = false)
    {
        if (frozen) Freeze();
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Stops forwarding (bytes in flight and closes are held back, sockets stay open) until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        lock (_pumps)
        {
            if (_thawed.Task.IsCompleted) _thawed = NewGate(open: false);
        }
    }

    /// <summary>Forwards again: what was held back is delivered, as after a partition heals.</summary>
    public void Thaw()
    {
        lock (_pumps) _thawed.TrySetResult();
    }

    /// <summary>Closes every connection made so far (both sides see the connection drop); new ones still work.</summary>
    public void DropConnections()
    {
        lock (_pumps)
        {
            foreach (var socket in _sockets) Reset(socket);
            _sockets.Clear();
        }
    }

    /// <summary>Drops every connection and resets new ones as soon as they are made, until <see cref="AcceptConnections"/>.</summary>
    public void RefuseConnections()
    {
        _refusing = true;
        DropConnections();
    }

    /// <summary>Ends <see cref="RefuseConnections"/>.</summary>
    public void AcceptConnections() => _refusing = false;

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open) gate.SetResult();
        return gate;
    }

    private Task ThawedAsync()
    {
        lock (_pumps) return _thawed.Task;
    }

    private static void Reset(TcpClient socket)
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

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                if (_refusing)
                {
                    Reset(client);
                    continue;
                }
                lock (_pumps) _pumps.Add(ConnectAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ConnectAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            // A frozen network does not carry the connection attempt either.
            await ThawedAsync().WaitAsync(_stop.Token);
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // The target is down (or the proxy stops): the client sees its connection reset.
            Reset(client);
            server.Dispose();
            return;
        }
        lock (_pumps)
        {
            if (_refusing || _stop.IsCancellationRequested)
            {
                Reset(client);
                Reset(server);
                return;
            }
            _sockets.Add(client);
            _sockets.Add(server);
            _pumps.Add(PumpAsync(client, server));
            _pumps.Add(PumpAsync(server, client));
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16384];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var read = await input.ReadAsync(buffer, _stop.Token);
                // Frozen: hold the bytes (or the close) until thawed or the proxy is disposed.
                await ThawedAsync().WaitAsync(_stop.Token);
                if (read == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // A reset (or the proxy stopping) while frozen is still held back until thawed.
            if (!_stop.IsCancellationRequested)
            {
                try
                {
                    await ThawedAsync().WaitAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
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
    }
}
