using System.Net;
using System.Net.Sockets;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// Ports on 127.0.0.1 for test servers that cannot bind port 0 themselves (HttpListener). The private
/// Postgres cluster keeps its own pick (its source is shared with the demo and the benchmarks) and retries its start.
/// </summary>
internal static class LoopbackPorts
{
    /// <summary>
    /// A port that was free a moment ago. Another socket may take it before the caller binds it (an
    /// outgoing connection of a parallel test gets its local port from the same range), so binding
    /// goes through <see cref="StartHttpListener"/> or a retry of its own.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts an HttpListener on a free loopback port, with the prefix <paramref name="path"/> under it,
    /// trying another port when the chosen one was taken in between. Returns the listener's base address.
    /// </summary>
    public static Uri StartHttpListener(HttpListener listener, string path = "/")
    {
        ArgumentNullException.ThrowIfNull(listener);
        for (var attempt = 1; ; attempt++)
        {
            var address = new Uri($"http://127.0.0.1:{Free()}{path}");
            listener.Prefixes.Clear();
            listener.Prefixes.Add(address.ToString());
            try
            {
                listener.Start();
                return address;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Taken since Free() saw it: another port.
            }
        }
    }
}
