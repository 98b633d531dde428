using System.Buffers;
using System.IO.Compression;

namespace PowerSync.Core.Hosting;

/// <summary>
/// The gzip body of a sync stream, packaged for the clients that read it. Each line is compressed into memory,
/// ended with a sync flush (so the client can decode it at once, as the official service flushes after each
/// line), and written to the response in one write: one HTTP chunk per line (the lines an NDJSON page is split into
/// are one write). Small pieces cost the official
/// JavaScript SDK dearly: its HTTP parser pauses at every chunk its body stream cannot take yet and re-reads
/// everything the socket buffered since, so thousands of 8 KiB writes made a compressed download slower than an
/// uncompressed one. The level is 7, one above zlib's default (the official service's): NDJSON pages split into lines
/// of <see cref="Protocol.SyncLineWriter.MaxDataLineBytes"/> repeat each line's opening and closing further apart
/// than deflate's 32 KiB window reaches, and the next level earns those bytes back (about 1 %, for a fifth more
/// compression time), so no more bytes go on the wire than the official service sends for the same rows.
/// </summary>
internal sealed class CompressedLineWriter : IAsyncDisposable
{
    /// <summary>Compressed bytes held before they are written even though the line has not ended (a huge line).</summary>
    private const int MaxPendingBytes = 1024 * 1024;

    /// <summary>zlib level (zlib-ng in .NET): 6 is the default, 9 the slowest.</summary>
    internal const int Level = 7;

    private readonly Stream _response;
    private readonly PendingBytes _pending = new();
    private readonly GZipStream _gzip;

    public CompressedLineWriter(Stream response)
    {
        _response = response;
        _gzip = new GZipStream(_pending, new ZLibCompressionOptions { CompressionLevel = Level }, leaveOpen: true);
    }

    /// <summary>Where a line's bytes go (a writer that streams a large line writes here).</summary>
    public Stream Line => _gzip;

    /// <summary>Compressed bytes written to the response so far.</summary>
    public long CompressedBytes { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _gzip.Write(bytes.Span);
        if (_pending.Length >= MaxPendingBytes) await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the line: a sync flush, then everything compressed since the last write goes out in one write.</summary>
    public async ValueTask EndLineAsync(CancellationToken cancellationToken)
    {
        _gzip.Flush();
        await SendAsync(cancellationToken).ConfigureAwait(false);
        await _response.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0) return;
        await _response.WriteAsync(_pending.Written, cancellationToken).ConfigureAwait(false);
        CompressedBytes += _pending.Length;
        _pending.Clear();
    }

    /// <summary>Ends the gzip stream (its trailer goes out if the response still can) and returns the buffer.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _gzip.DisposeAsync().ConfigureAwait(false);
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SendAsync(quick.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone or the response is over: the trailer has nobody to go to.
        }
        finally
        {
            _pending.Dispose();
        }
    }

    /// <summary>A write-only stream into a pooled array that grows as needed and is reused from line to line.</summary>
    private sealed class PendingBytes : Stream
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _length;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

        public void Clear() => _length = 0;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_length + buffer.Length > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + buffer.Length));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            buffer.CopyTo(_buffer.AsSpan(_length));
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && _buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
                _length = 0;
            }
            base.Dispose(disposing);
        }
    }
}
