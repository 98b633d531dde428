namespace PowerSync.Client.Sync;

/// <summary>One line of the sync stream (<c>POST /sync/stream</c>), parsed.</summary>
internal abstract record SyncLine;

/// <summary>
/// A bucket's expected state at a checkpoint, and why the service included it (<c>subscriptions</c>: the default stream
/// at an index of the checkpoint's <c>streams</c>, or the request's explicit subscription at an index).
/// </summary>
internal sealed record BucketChecksum(string Bucket, uint Checksum, int Priority, long? Count)
{
    public IReadOnlyList<BucketReason>? Subscriptions { get; init; }
}

/// <summary>One entry of a bucket's <c>subscriptions</c>: <c>{"default": i}</c> or <c>{"sub": i}</c>.</summary>
internal readonly record struct BucketReason(bool IsDefault, int Index);

/// <summary>
/// One entry of a checkpoint's <c>streams</c>: a stream the connection is subscribed to, whether it is a default stream,
/// and the errors resolving it (for the request's subscription at an index, or null for the default subscription).
/// </summary>
internal sealed record CheckpointStream(string Name, bool IsDefault, IReadOnlyList<(int? Subscription, string Message)> Errors);

/// <summary>
/// <c>{"checkpoint":{...}}</c>: the full bucket set of a new checkpoint, and the streams the connection is subscribed to
/// (null from a service that reports none).
/// </summary>
internal sealed record CheckpointLine(long LastOpId, long? WriteCheckpoint, IReadOnlyList<BucketChecksum> Buckets, IReadOnlyList<CheckpointStream>? Streams = null) : SyncLine;

/// <summary><c>{"checkpoint_diff":{...}}</c>: changes against the previous checkpoint.</summary>
internal sealed record CheckpointDiffLine(long LastOpId, long? WriteCheckpoint, IReadOnlyList<BucketChecksum> UpdatedBuckets, IReadOnlyList<string> RemovedBuckets) : SyncLine;

/// <summary>
/// <c>{"data":{...}}</c>: ops of one bucket. The ops' text lives in one buffer per line; a buffer rented from
/// the shared pool (<see cref="Rented"/>) goes back with <see cref="Release"/> once the line is saved.
/// </summary>
internal sealed record DataLine(string Bucket, IReadOnlyList<OplogEntry> Data, bool HasMore, long Size) : SyncLine
{
    /// <summary>The pooled buffer holding the ops' text, or null when it was allocated for this line alone.</summary>
    public byte[]? Rented { get; init; }

    private int _released;

    /// <summary>
    /// Returns the ops' buffer to the pool: the line and its ops must not be read after this. Call it only once
    /// the ops are stored; a line never released just leaves its buffer to the garbage collector.
    /// </summary>
    public void Release()
    {
        if (Rented is { } buffer && Interlocked.Exchange(ref _released, 1) == 0) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary><c>{"checkpoint_complete":{...}}</c>.</summary>
internal sealed record CheckpointCompleteLine(long LastOpId) : SyncLine;

/// <summary><c>{"partial_checkpoint_complete":{...}}</c>: every bucket with priority number &lt;= Priority is complete.</summary>
internal sealed record PartialCheckpointCompleteLine(long LastOpId, int Priority) : SyncLine;

/// <summary><c>{"token_expires_in":n}</c>: keepalive with the token's remaining lifetime in seconds.</summary>
internal sealed record TokenExpiresInLine(long Seconds) : SyncLine;

/// <summary>A line this client does not know; ignored.</summary>
internal sealed record UnknownLine(string Json) : SyncLine;

/// <summary>The kind of an op.</summary>
internal enum OpKind
{
    Put,
    Remove,
    Move,
    Clear,
}

/// <summary>
/// One op of a data line. The id, subkey and data stay UTF-8 as received: they go to SQLite as they are,
/// without a round trip through UTF-16, and they are ranges of one buffer shared by the line's ops (no
/// array per value for the collector to allocate and trace). <c>Checksum</c> is the op's checksum (CLEAR's
/// may arrive negative: mod 2^32). <c>RowHash</c> identifies the row (type and id) for bulk mode's set of
/// rows seen, computed while the line is read rather than by the writer. A struct: a line's ops live in one array.
/// </summary>
internal readonly struct OplogEntry
{
    private readonly byte[]? _text;
    private readonly int _idStart, _idLength, _subkeyStart, _subkeyLength, _dataStart, _dataLength;

    /// <summary>An op whose id, subkey and data are ranges of <paramref name="text"/> (a length of -1: null).</summary>
    public OplogEntry(long opId, OpKind op, string? objectType, byte[]? text, (int Start, int Length) objectId, (int Start, int Length) subkey, (int Start, int Length) data, uint checksum)
    {
        OpId = opId;
        Op = op;
        ObjectType = objectType;
        Checksum = checksum;
        _text = text;
        (_idStart, _idLength) = objectId;
        (_subkeyStart, _subkeyLength) = subkey;
        (_dataStart, _dataLength) = data;
        RowHash = HashRow(objectType, ObjectId.Span);
    }

    /// <summary>An op with its own copies of the id, subkey and data (for lines parsed as documents).</summary>
    public OplogEntry(long opId, OpKind op, string? objectType, byte[]? objectId, byte[]? subkey, byte[]? data, uint checksum)
        : this(opId, op, objectType, Concat(objectId, subkey, data, out var ranges), ranges.Id, ranges.Subkey, ranges.Data, checksum)
    {
    }

    public long OpId { get; }

    public OpKind Op { get; }

    public string? ObjectType { get; }

    public uint Checksum { get; }

    /// <summary>64-bit FNV-1a of the type and id: bulk mode's "may exist" set (a collision only costs a pending row).</summary>
    public long RowHash { get; }

    public Utf8Text ObjectId => new(_text, _idStart, _idLength);

    public Utf8Text Subkey => new(_text, _subkeyStart, _subkeyLength);

    public Utf8Text Data => new(_text, _dataStart, _dataLength);

    private static long HashRow(string? type, ReadOnlySpan<byte> id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in type ?? "") hash = unchecked((hash ^ c) * 1099511628211UL);
        hash = unchecked((hash ^ 0xffff) * 1099511628211UL);
        foreach (var b in id) hash = unchecked((hash ^ b) * 1099511628211UL);
        return unchecked((long)hash);
    }

    private static byte[] Concat(byte[]? id, byte[]? subkey, byte[]? data, out ((int, int) Id, (int, int) Subkey, (int, int) Data) ranges)
    {
        var text = new byte[(id?.Length ?? 0) + (subkey?.Length ?? 0) + (data?.Length ?? 0)];
        var used = 0;
        ranges = (Place(id), Place(subkey), Place(data));
        return text;

        (int, int) Place(byte[]? value)
        {
            if (value is null) return (0, -1);
            value.CopyTo(text, used);
            used += value.Length;
            return (used - value.Length, value.Length);
        }
    }
}

/// <summary>UTF-8 text within a buffer, or null (<see cref="IsNull"/>).</summary>
internal readonly struct Utf8Text(byte[]? buffer, int start, int length)
{
    public bool IsNull => length < 0 || buffer is null;

    /// <summary>The text (empty for null).</summary>
    public ReadOnlySpan<byte> Span => IsNull ? default : buffer.AsSpan(start, length);
}

/// <summary>A checkpoint being downloaded: the target of the current iteration.</summary>
internal sealed record SyncCheckpoint(long LastOpId, long? WriteCheckpoint, IReadOnlyDictionary<string, BucketChecksum> Buckets)
{
    public static SyncCheckpoint From(CheckpointLine line) =>
        new(line.LastOpId, line.WriteCheckpoint, line.Buckets.ToDictionary(b => b.Bucket, StringComparer.Ordinal));

    public SyncCheckpoint Apply(CheckpointDiffLine diff)
    {
        var buckets = new Dictionary<string, BucketChecksum>(Buckets, StringComparer.Ordinal);
        foreach (var removed in diff.RemovedBuckets) buckets.Remove(removed);
        foreach (var updated in diff.UpdatedBuckets) buckets[updated.Bucket] = updated;
        // A diff without write_checkpoint keeps the last one: write checkpoints only grow.
        return new SyncCheckpoint(diff.LastOpId, diff.WriteCheckpoint ?? WriteCheckpoint, buckets);
    }
}
