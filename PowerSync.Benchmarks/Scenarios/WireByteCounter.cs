using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Counts what a Kestrel connection writes, as it goes to the socket: response headers, chunk framing,
/// compressed bodies and WebSocket frames alike. A connection middleware (<c>ListenOptions.Use</c>).
/// </summary>
internal static class WireByteCounter
{
    public static ConnectionContext Wrap(ConnectionContext connection, StrongBox<long> total)
    {
        connection.Transport = new CountingPipe(connection.Transport, total);
        return connection;
    }

    private sealed class CountingPipe(IDuplexPipe inner, StrongBox<long> total) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;

        public PipeWriter Output { get; } = new CountingWriter(inner.Output, total);
    }

    private sealed class CountingWriter(PipeWriter inner, StrongBox<long> total) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            Interlocked.Add(ref total.Value, bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
