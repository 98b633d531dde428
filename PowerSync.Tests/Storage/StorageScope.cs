using PowerSync.Core;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Storage;

/// <summary>A store with one deployed version and its open writer, plus helpers to write rows.</summary>
internal sealed class StorageScope : IAsyncDisposable
{
    public static readonly SourceTable Table = new("public", "test");

    private StorageScope(IBucketStorage storage, SyncRulesVersion version, IBucketStorageWriter writer)
    {
        Storage = storage;
        Version = version;
        Writer = writer;
    }

    public IBucketStorage Storage { get; }
    public SyncRulesVersion Version { get; }
    public IBucketStorageWriter Writer { get; private set; }

    /// <summary>Deploys rules, opens the writer and (by default) marks the snapshot done at 0/1.</summary>
    public static async Task<StorageScope> StartAsync(IBucketStorage storage, bool snapshotDone = true, string rules = "bucket_definitions: {}")
    {
        var version = await storage.Admin.DeployAsync(rules, default);
        var writer = await storage.Admin.OpenWriterAsync(version, default);
        if (snapshotDone) await writer.MarkSnapshotDoneAsync(Lsn.Parse("0/1"), default);
        return new StorageScope(storage, version, writer);
    }

    public async Task ReopenWriterAsync()
    {
        await Writer.DisposeAsync();
        Writer = await Storage.Admin.OpenWriterAsync(Version, default);
    }

    public static SourceRowChange Put(string id, string data, params string[] buckets) =>
        new(Table, id, RowChangeKind.Upsert, buckets.Select(b => new BucketRow(b, "test", id, data)).ToList(), [], ReadOnlyMemory<byte>.Empty);

    /// <summary>A row the source says it inserted (a streamed INSERT or a snapshot row), which a store may assume is not stored.</summary>
    public static SourceRowChange Insert(string id, string data, params string[] buckets) =>
        Put(id, data, buckets) with { Kind = RowChangeKind.Insert };

    public static SourceRowChange Delete(string id) => SourceRowChange.Delete(Table, id);

    public ValueTask SaveAsync(SourceRowChange change) => Writer.SaveAsync(change, default);

    public async Task<Checkpoint> CommitAsync(string lsn) =>
        await Writer.CommitAsync(Lsn.Parse(lsn), default) ?? throw new InvalidOperationException("Commit produced no checkpoint.");

    public async Task<List<OplogEntry>> ReadAllAsync(Checkpoint checkpoint, string bucket, OpId? after = null)
    {
        var ops = new List<OplogEntry>();
        var position = new BucketPosition(bucket, after ?? OpId.Zero);
        while (true)
        {
            var page = await Storage.Reader.ReadBucketPageAsync(checkpoint, position, 1000, 1 << 20, default);
            ops.AddRange(page.Ops);
            if (!page.HasMore) return ops;
            position = position with { After = page.NextAfter };
        }
    }

    public async Task<BucketChecksum> ChecksumAsync(Checkpoint checkpoint, string bucket) =>
        (await Storage.Reader.GetChecksumsAsync(checkpoint, [bucket], default)).Single();

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Storage.DisposeAsync();
    }
}

/// <summary>The client-side view of a bucket's ops: live rows and the bucket checksum.</summary>
internal static class BucketReducer
{
    public sealed record State(IReadOnlyDictionary<(string?, string?, string?), string?> Rows, uint Checksum)
    {
        public bool SameAs(State other) =>
            Checksum == other.Checksum && Rows.Count == other.Rows.Count &&
            Rows.All(r => other.Rows.TryGetValue(r.Key, out var d) && d == r.Value);

        public override string ToString() =>
            $"checksum {Checksum}, rows [{string.Join(", ", Rows.OrderBy(r => r.Key.Item2).Select(r => $"{r.Key.Item2}={r.Value}"))}]";
    }

    public static State Reduce(IEnumerable<OplogEntry> ops, State? start = null)
    {
        var rows = new Dictionary<(string?, string?, string?), string?>(start?.Rows ?? new Dictionary<(string?, string?, string?), string?>());
        var checksum = start?.Checksum ?? 0u;
        foreach (var op in ops)
        {
            var key = (op.ObjectTypeText, op.ObjectIdText, op.SubkeyText);
            switch (op.Op)
            {
                case OpType.Clear:
                    rows.Clear();
                    checksum = op.Checksum;
                    continue;
                case OpType.Put:
                    rows[key] = op.DataText;
                    break;
                case OpType.Remove:
                    rows.Remove(key);
                    break;
            }
            checksum = unchecked(checksum + op.Checksum);
        }
        return new State(rows, checksum);
    }
}
