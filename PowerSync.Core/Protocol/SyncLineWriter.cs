using System.Buffers;
using System.Text.Json;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>How a stream's lines are written (the value indexes each page's cached forms).</summary>
internal enum SyncLineEncoding
{
    /// <summary>NDJSON, each op's row data as a JSON string (<c>raw_data: true</c>, what every current SDK asks for).</summary>
    Json = 0,

    /// <summary>NDJSON, each op's row data embedded as an object (legacy clients).</summary>
    JsonEmbeddedData = 1,

    /// <summary>One BSON document per line (<see cref="BsonLineWriter"/>).</summary>
    Bson = 2,
}

/// <summary>
/// Writes sync lines as the official service does: op ids and <c>write_checkpoint</c> as strings,
/// checksums as numbers (bucket totals signed 32-bit, op checksums unsigned), row data as a JSON
/// string (<c>raw_data</c>) or embedded as an object (legacy clients). One line, then <c>\n</c>.
/// </summary>
internal static class SyncLineWriter
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true, Encoder = JsonStringifyEncoder.Instance };

    public static void Write(SyncLine line, bool rawData, ArrayBufferWriter<byte> output) =>
        Write(line, rawData ? SyncLineEncoding.Json : SyncLineEncoding.JsonEmbeddedData, output);

    /// <summary>Appends the line to <paramref name="output"/>: JSON and its newline, or one BSON document.</summary>
    public static void Write(SyncLine line, SyncLineEncoding encoding, ArrayBufferWriter<byte> output)
    {
        if (encoding == SyncLineEncoding.Bson)
        {
            BsonLineWriter.Write(line, output);
            return;
        }
        var rawData = encoding == SyncLineEncoding.Json;
        if (line is DataLine data)
        {
            DataLineWriter.Write(data.Page, rawData, output, MaxDataLineBytes);
            return;
        }

        using (var json = new Utf8JsonWriter(output, Options))
        {
            foreach (var _ in Parts(json, line))
            {
                // Everything goes to the growing buffer: control lines other than checkpoints are small.
            }
        }
        output.Write("\n"u8);
    }

    /// <summary>
    /// The longest NDJSON <c>data</c> line (unless a single op is longer): a page of ops longer than this (the official
    /// service's lines hold up to 1000 ops or about 1 MiB) goes out as several lines. The official JavaScript SDK splits
    /// NDJSON by appending each piece its HTTP stack hands it to the text not yet split and splitting all of it again,
    /// so a line costs it time in proportion to its length times the pieces it arrives in. A gzip body reaches it in
    /// pieces of 16 KiB (Node's zlib output chunks), four times as many as an uncompressed one, and a page of 1000 ops
    /// (about 330 KB of the benchmark's rows) made its compressed first sync slower than the uncompressed one. Each
    /// line also costs it a call into its SQLite extension, so lines are not made shorter than needed: at 64 KiB both
    /// costs are small. BSON lines are read by length in one pass and keep whole pages.
    /// </summary>
    internal const int MaxDataLineBytes = 64 * 1024;

    /// <summary>Bytes a streamed line gathers before they are written out.</summary>
    internal const int StreamedFlushBytes = 16 * 1024;

    /// <summary>
    /// Whether a line may be large enough to be worth streaming with <see cref="WriteAsync"/>: a checkpoint or
    /// diff listing many buckets or subscriptions. Small ones (the usual diff of a few buckets) are cheaper built
    /// whole and written at once.
    /// </summary>
    public static bool IsLarge(SyncLine line, SyncLineEncoding encoding = SyncLineEncoding.Json) => encoding != SyncLineEncoding.Bson && line switch
    {
        CheckpointLine c => Entries(c.Buckets) + c.Streams.Count > 256,
        CheckpointDiffLine d => Entries(d.UpdatedBuckets) + d.RemovedBuckets.Count > 256,
        _ => false,
    };

    private static int Entries(IReadOnlyList<CheckpointBucket> buckets)
    {
        var entries = buckets.Count;
        foreach (var b in buckets) entries += b.Subscriptions.Count;
        return entries;
    }

    /// <summary>
    /// Writes a control line straight to <paramref name="output"/>, in pieces of about
    /// <see cref="StreamedFlushBytes"/>: a <c>checkpoint</c> line lists every bucket with its subscriptions,
    /// so it is never built whole in memory. Returns the bytes written (newline included).
    /// </summary>
    public static async ValueTask<long> WriteAsync(SyncLine line, Stream output, CancellationToken cancellationToken)
    {
        long written;
        var json = new Utf8JsonWriter(output, Options);
        await using (json.ConfigureAwait(false))
        {
            foreach (var _ in Parts(json, line))
            {
                if (json.BytesPending >= StreamedFlushBytes) await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            written = json.BytesCommitted;
        }
        await output.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        return written + 1;
    }

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary>Writes a control line's JSON, pausing after each bucket (where a streamed write may flush).</summary>
    private static IEnumerable<bool> Parts(Utf8JsonWriter json, SyncLine line)
    {
        json.WriteStartObject();
        switch (line)
        {
            case CheckpointLine c:
                json.WriteStartObject("checkpoint");
                json.WriteString("last_op_id", c.LastOpId.ToString());
                WriteCheckpointId(json, c.WriteCheckpoint);
                json.WriteStartArray("buckets");
                foreach (var b in c.Buckets)
                {
                    WriteBucket(json, b);
                    yield return true;
                }
                json.WriteEndArray();
                json.WriteStartArray("streams");
                foreach (var stream in c.Streams)
                {
                    WriteStream(json, stream);
                    yield return true;
                }
                json.WriteEndArray();
                json.WriteEndObject();
                break;
            case CheckpointDiffLine d:
                json.WriteStartObject("checkpoint_diff");
                json.WriteString("last_op_id", d.LastOpId.ToString());
                WriteCheckpointId(json, d.WriteCheckpoint);
                json.WriteStartArray("removed_buckets");
                foreach (var name in d.RemovedBuckets) json.WriteStringValue(name);
                json.WriteEndArray();
                json.WriteStartArray("updated_buckets");
                foreach (var b in d.UpdatedBuckets)
                {
                    WriteBucket(json, b);
                    yield return true;
                }
                json.WriteEndArray();
                json.WriteEndObject();
                break;
            case CheckpointCompleteLine done:
                json.WriteStartObject("checkpoint_complete");
                json.WriteString("last_op_id", done.LastOpId.ToString());
                json.WriteEndObject();
                break;
            case PartialCheckpointCompleteLine partial:
                json.WriteStartObject("partial_checkpoint_complete");
                json.WriteString("last_op_id", partial.LastOpId.ToString());
                json.WriteNumber("priority", partial.Priority);
                json.WriteEndObject();
                break;
            case KeepaliveLine keepalive:
                json.WriteNumber("token_expires_in", keepalive.TokenExpiresInSeconds);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(line), line.GetType().Name, "Unknown sync line type.");
        }
        json.WriteEndObject();
    }

    /// <summary>Each page's serialized forms, by <see cref="SyncLineEncoding"/>.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BucketDataPage, byte[][]?[]> PageBytes = [];

    /// <summary>
    /// Size of the pieces a data line's bytes are kept in: under the 85,000 bytes from which .NET allocates
    /// on the large object heap, whose churn (a page of 1000 ops is about 240 KB) forced full collections.
    /// </summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// A data line's bytes in pieces of at most <see cref="ChunkSize"/>, serialized once per page and encoding
    /// and shared by every connection that sends the same page (pages come from <see cref="DataPageCache"/>).
    /// Written one piece after the other they are the line.
    /// </summary>
    public static byte[][] DataLineBytes(BucketDataPage page, bool rawData) =>
        DataLineBytes(page, rawData ? SyncLineEncoding.Json : SyncLineEncoding.JsonEmbeddedData);

    /// <inheritdoc cref="DataLineBytes(BucketDataPage, bool)"/>
    public static byte[][] DataLineBytes(BucketDataPage page, SyncLineEncoding encoding)
    {
        var forms = PageBytes.GetValue(page, _ => new byte[][]?[3]);
        var index = (int)encoding;
        if (Volatile.Read(ref forms[index]) is { } done) return done;
        // Sessions sending the same page at once serialize it once: the others wait for the first.
        lock (forms) return forms[index] ??= Serialize(new DataLine(page), encoding, Split);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The line as bytes (NDJSON, newline included).</summary>
    public static byte[] ToBytes(SyncLine line, bool rawData) => ToBytes(line, rawData ? SyncLineEncoding.Json : SyncLineEncoding.JsonEmbeddedData);

    /// <summary>The line as bytes (NDJSON with its newline, or a BSON document).</summary>
    public static byte[] ToBytes(SyncLine line, SyncLineEncoding encoding) => Serialize(line, encoding, written => written.ToArray());

    /// <summary>The line's bytes in pieces of at most <see cref="ChunkSize"/>.</summary>
    public static byte[][] ToChunks(SyncLine line, bool rawData) =>
        Serialize(line, rawData ? SyncLineEncoding.Json : SyncLineEncoding.JsonEmbeddedData, Split);

    /// <summary>Writes the line through a per-thread buffer that keeps its size, and copies it out.</summary>
    private static T Serialize<T>(SyncLine line, SyncLineEncoding encoding, SpanCopy<T> copy)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        Write(line, encoding, buffer);
        var result = copy(buffer.WrittenSpan);
        // A one-off huge line does not pin its buffer to the thread.
        if (buffer.Capacity > 4 * 1024 * 1024) t_buffer = null;
        return result;
    }

    private delegate T SpanCopy<out T>(ReadOnlySpan<byte> written);

    private static byte[][] Split(ReadOnlySpan<byte> written)
    {
        var chunks = new byte[(written.Length + ChunkSize - 1) / ChunkSize][];
        for (var i = 0; i < chunks.Length; i++) chunks[i] = written.Slice(i * ChunkSize, Math.Min(ChunkSize, written.Length - (i * ChunkSize))).ToArray();
        return chunks;
    }

    private static void WriteCheckpointId(Utf8JsonWriter json, long? writeCheckpoint)
    {
        if (writeCheckpoint is { } id) json.WriteString("write_checkpoint", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void WriteBucket(Utf8JsonWriter json, CheckpointBucket b)
    {
        json.WriteStartObject();
        json.WriteString("bucket", b.Bucket);
        json.WriteNumber("checksum", b.Checksum);
        json.WriteNumber("count", b.Count);
        json.WriteNumber("priority", b.Priority);
        json.WriteStartArray("subscriptions");
        foreach (var s in b.Subscriptions)
        {
            json.WriteStartObject();
            json.WriteNumber(s.IsDefault ? "default" : "sub", s.Index);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteStream(Utf8JsonWriter json, StreamDescription s)
    {
        json.WriteStartObject();
        json.WriteString("name", s.Name);
        json.WriteBoolean("is_default", s.IsDefault);
        json.WriteStartArray("errors");
        foreach (var e in s.Errors)
        {
            json.WriteStartObject();
            if (int.TryParse(e.Subscription, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                json.WriteNumber("subscription", index);
            else
                json.WriteString("subscription", e.Subscription);
            json.WriteString("message", e.Message);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
