using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace PowerSync.Tests.Replication;

/// <summary>The fault-injecting proxy the replication tests and the chaos suite put between processes.</summary>
public sealed class FreezableTcpProxyTests
{
    [Test]
    public async Task Bytes_sent_while_frozen_are_delivered_after_thawing_on_old_and_new_connections()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FreezableTcpProxy("127.0.0.1", echo.Port);
        using var before = await ConnectAsync(proxy);
        Assert.That(await RoundTripAsync(before, 1), Is.EqualTo(1));

        proxy.Freeze();
        var held = RoundTripAsync(before, 2);
        using var during = new TcpClient();
        var connecting = during.ConnectAsync(IPAddress.Loopback, proxy.Port);
        proxy.Thaw();

        Assert.That(await Eventually.WithTimeout(held, "the held byte to be echoed after thawing"), Is.EqualTo(2));
        await Eventually.WithTimeout(connecting, "the connection made while frozen");
        Assert.That(await Eventually.WithTimeout(RoundTripAsync(during, 3), "a byte over the connection made while frozen"), Is.EqualTo(3));
    }

    [Test]
    public async Task Refused_connections_are_reset_until_accepted_again()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FreezableTcpProxy("127.0.0.1", echo.Port);
        using var before = await ConnectAsync(proxy);
        Assert.That(await RoundTripAsync(before, 1), Is.EqualTo(1));

        proxy.RefuseConnections();
        Assert.That(await Eventually.WithTimeout(ReadEndAsync(before), "the existing connection to be dropped"), Is.True);
        Assert.That(await Eventually.WithTimeout(ResetAsync(proxy), "a new connection to be reset"), Is.True);

        proxy.AcceptConnections();
        using var after = await ConnectAsync(proxy);
        Assert.That(await Eventually.WithTimeout(RoundTripAsync(after, 4), "a byte after accepting again"), Is.EqualTo(4));
    }

    private static async Task<TcpClient> ConnectAsync(FreezableTcpProxy proxy)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return client;
    }

    private static async Task<int> RoundTripAsync(TcpClient client, byte value)
    {
        var stream = client.GetStream();
        await stream.WriteAsync(new[] { value });
        var buffer = new byte[1];
        return await stream.ReadAsync(buffer) == 1 ? buffer[0] : -1;
    }

    /// <summary>True when a new connection fails or is reset before any data.</summary>
    private static async Task<bool> ResetAsync(FreezableTcpProxy proxy)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        }
        catch (SocketException)
        {
            return true;
        }
        return await ReadEndAsync(client);
    }

    /// <summary>True once the connection ends (closed or reset) without data.</summary>
    private static async Task<bool> ReadEndAsync(TcpClient client)
    {
        try
        {
            return await client.GetStream().ReadAsync(new byte[1]) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Echoes every byte back, per connection.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public EchoServer()
        {
            _listener.Start();
            _loop = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true) connections.Add(EchoAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
            }
            catch (OperationCanceledException)
            {
            }
            await Task.WhenAll(connections);
        }

        private async Task EchoAsync(TcpClient client)
        {
            using (client)
            {
                var buffer = new byte[256];
                try
                {
                    var stream = client.GetStream();
                    int read;
                    while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0) await stream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
