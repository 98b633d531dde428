using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// Online compaction of the active version up to its latest checkpoint. Per bucket: a newest-first scan
/// (in chunks) turns every PUT/REMOVE whose row appears again later into a MOVE (target = the later op);
/// then a leading run of more than one non-PUT op becomes a single CLEAR whose checksum is their sum.
/// Memory is bounded by <see cref="CompactionOptions.MaxTrackedRows"/>, the chunk and the batch size;
/// rewrites happen in short transactions so replication and sessions carry on.
/// </summary>
internal sealed class LiteDbCompactor(LiteDbBucketStorage storage) : IBucketCompactor
{
    private const int ScanChunk = 1000;

    private ILiteCollection<BsonDocument> Ops => storage.Database.GetCollection(LiteDbKeys.Ops);

    public Task<CompactionResult> CompactAsync(CompactionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (storage.Broadcast.Latest is not { } checkpoint) return Task.FromResult(new CompactionResult(0, 0, 0, 0));
        var version = checkpoint.RulesVersion;
        return Compaction.RunAsync(BucketsToCompact(version, options.Buckets),
            bucket => MoveSuperseded(version, bucket, checkpoint.OpId, options),
            bucket => ClearPrefix(version, bucket, checkpoint.OpId),
            storage.Checksums, cancellationToken);
    }

    private List<string> BucketsToCompact(long version, IReadOnlyCollection<string>? only)
    {
        var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(version));
        var names = storage.Database.GetCollection(LiteDbKeys.Buckets).Find(Query.Between("_id", low, high)).Select(d => d["n"].AsString);
        return only is null ? names.ToList() : names.Where(only.Contains).ToList();
    }

    private (long Scanned, long Moved) MoveSuperseded(long version, string bucket, OpId checkpoint, CompactionOptions options)
    {
        var later = new Dictionary<(string, string, string), long>();
        var batch = new List<(BsonValue Key, long Target)>();
        long scanned = 0, moved = 0;
        var low = LiteDbSchema.OpKey(version, bucket, 1L);
        var high = LiteDbSchema.OpKey(version, bucket, checkpoint.Value);
        while (true)
        {
            // A chunk at a time, read whole before any rewrite (a LiteDB query must not stay open across a write on its thread).
            var chunk = Ops.Query().Where(Query.Between("_id", low, high)).OrderByDescending("_id").Limit(ScanChunk).ToList();
            if (chunk.Count == 0) break;
            foreach (var doc in chunk)
            {
                var op = (OpType)doc["o"].AsInt32;
                if (op is not (OpType.Put or OpType.Remove)) continue;
                scanned++;
                var opId = LiteDbKeys.LastNumber(doc["_id"]);
                var row = (doc["ot"].AsString, doc["oi"].AsString, doc["sk"].AsString);
                if (later.TryGetValue(row, out var target))
                {
                    batch.Add((doc["_id"], target));
                    if (batch.Count >= options.BatchSize)
                    {
                        moved += ApplyMoves(batch);
                        batch.Clear();
                    }
                }
                else if (later.Count < options.MaxTrackedRows)
                {
                    later[row] = opId;
                }
            }
            var oldest = LiteDbKeys.LastNumber(chunk[^1]["_id"]);
            if (oldest <= 1) break;
            high = LiteDbSchema.OpKey(version, bucket, oldest - 1);
        }
        moved += ApplyMoves(batch);
        return (scanned, moved);
    }

    private long ApplyMoves(List<(BsonValue Key, long Target)> batch)
    {
        if (batch.Count == 0) return 0;
        return storage.InTransaction(_ =>
        {
            long changed = 0;
            foreach (var (key, target) in batch)
            {
                var doc = Ops.FindById(key);
                if (doc is null || (OpType)doc["o"].AsInt32 is not (OpType.Put or OpType.Remove)) continue;
                Ops.Update(new BsonDocument { ["_id"] = key, ["o"] = (int)OpType.Move, ["cs"] = doc["cs"], ["t"] = target });
                changed++;
            }
            return changed;
        });
    }

    /// <summary>Replaces a leading run of two or more non-PUT ops with one CLEAR; returns the ops removed.</summary>
    private long ClearPrefix(long version, string bucket, OpId checkpoint)
    {
        var removed = storage.InTransaction(_ => ReplacePrefix(version, bucket, checkpoint));
        // Counts changed: no session may be served a count cached before this commit.
        if (removed > 0) storage.Checksums.InvalidateAll();
        return removed;
    }

    private long ReplacePrefix(long version, string bucket, OpId checkpoint)
    {
        long count = 0, lastOp = 0;
        long? maxTarget = null;
        uint sum = 0;
        var low = LiteDbSchema.OpKey(version, bucket, 1L);
        var high = LiteDbSchema.OpKey(version, bucket, checkpoint.Value);
        var reachedPut = false;
        while (!reachedPut)
        {
            var chunk = Ops.Query().Where(Query.Between("_id", low, high)).OrderBy("_id").Limit(ScanChunk).ToList();
            if (chunk.Count == 0) break;
            foreach (var doc in chunk)
            {
                if ((OpType)doc["o"].AsInt32 == OpType.Put)
                {
                    reachedPut = true;
                    break;
                }
                count++;
                sum = OpChecksum.Add(sum, (uint)doc["cs"].AsInt64);
                lastOp = LiteDbKeys.LastNumber(doc["_id"]);
                if (!doc["t"].IsNull) maxTarget = Math.Max(maxTarget ?? 0, doc["t"].AsInt64);
            }
            low = LiteDbSchema.OpKey(version, bucket, LiteDbKeys.LastNumber(chunk[^1]["_id"]) + 1);
        }
        if (count < 2) return 0;
        Ops.DeleteMany(Query.Between("_id", LiteDbSchema.OpKey(version, bucket, 1L), LiteDbSchema.OpKey(version, bucket, lastOp)));
        Ops.Insert(new BsonDocument
        {
            ["_id"] = LiteDbSchema.OpKey(version, bucket, lastOp),
            ["o"] = (int)OpType.Clear,
            ["cs"] = (long)sum,
            ["t"] = Math.Max(maxTarget ?? lastOp, lastOp),
        });
        var totals = Ops.FindById(LiteDbSchema.OpKey(version, bucket, 0L));
        totals["n"] = totals["n"].AsInt64 - (count - 1);
        Ops.Update(totals);
        return count - 1;
    }
}
