using System.Buffers;
using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Protocol;

public sealed class SyncLineWriterTests
{
    /// <summary>A stream that keeps what is written and the largest single write.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public int LargestWrite { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            LargestWrite = Math.Max(LargestWrite, count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            base.Write(buffer);
        }
    }

    private static CheckpointLine LargeCheckpoint()
    {
        // The most a connection may get: 1000 buckets, each listing 100 subscriptions and the default stream.
        var subscriptions = Enumerable.Range(0, 100).Select(i => new BucketSubscription(false, i)).Prepend(new BucketSubscription(true, 0)).ToList();
        var buckets = Enumerable.Range(0, 1000).Select(i => new CheckpointBucket($"todos[\"list-{i}\"]", i, i, 3, subscriptions)).ToList();
        var streams = new List<StreamDescription> { new("todos", false, [new StreamError("3", "no such list")]), new("lists", true, []) };
        return new CheckpointLine(new OpId(42), 7, buckets, streams);
    }

    [Test]
    public async Task A_checkpoint_line_is_streamed_in_pieces_with_the_same_bytes_as_one_built_whole()
    {
        var line = LargeCheckpoint();
        var whole = new ArrayBufferWriter<byte>();
        SyncLineWriter.Write(line, rawData: true, whole);

        using var stream = new RecordingStream();
        var written = await SyncLineWriter.WriteAsync(line, stream, default);

        Assert.That(stream.ToArray(), Is.EqualTo(whole.WrittenSpan.ToArray()));
        Assert.That(written, Is.EqualTo(whole.WrittenCount));
        Assert.That(whole.WrittenCount, Is.GreaterThan(1_000_000));
        Assert.That(SyncLineWriter.IsLarge(line), Is.True, "the endpoint streams it");
        Assert.That(stream.LargestWrite, Is.LessThan(SyncLineWriter.StreamedFlushBytes + 4096), "no write holds more than a piece and one bucket");
    }

    [Test]
    public async Task Small_lines_stream_with_the_same_bytes_too()
    {
        foreach (SyncLine line in new SyncLine[]
        {
            new CheckpointDiffLine(new OpId(3), null, [new CheckpointBucket("a[]", -5, 2, 1, [new BucketSubscription(true, 0)])], ["gone[]"]),
            new CheckpointCompleteLine(new OpId(3)),
            new PartialCheckpointCompleteLine(new OpId(3), 1),
            new KeepaliveLine(20),
        })
        {
            using var stream = new MemoryStream();
            await SyncLineWriter.WriteAsync(line, stream, default);
            Assert.That(stream.ToArray(), Is.EqualTo(SyncLineWriter.ToBytes(line, rawData: true)), line.GetType().Name);
            Assert.That(SyncLineWriter.IsLarge(line), Is.False, "the endpoint builds small lines whole and writes them at once");
        }
    }
}
