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
    // Chunks read per query: up to 256 ops each (fewer when large), one op each in a store from before chunks.
    private const int ScanChunks = 64;

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
        var later = new Dictionary<(string?, string?, string?), long>();
        var batch = new List<(BsonValue Chunk, long OpId, long Target)>();
        long scanned = 0, moved = 0;
        var low = LiteDbSchema.OpKey(version, bucket, 1L);
        // The chunk holding the checkpoint's op may be keyed after it.
        var high = LiteDbSchema.OpKey(version, bucket, long.MaxValue);
        var ops = new List<OplogEntry>();
        while (true)
        {
            // Some chunks at a time, read whole before any rewrite (a LiteDB query must not stay open across a write on its thread).
            var chunks = Ops.Query().Where(Query.Between("_id", low, high)).OrderByDescending("_id").Limit(ScanChunks).ToList();
            if (chunks.Count == 0) break;
            foreach (var chunk in chunks)
            {
                ops.Clear();
                LiteDbOpChunks.Read(chunk, 0, checkpoint.Value, ops);
                for (var i = ops.Count - 1; i >= 0; i--)
                {
                    var op = ops[i];
                    if (op.Op is not (OpType.Put or OpType.Remove)) continue;
                    scanned++;
                    var row = (op.ObjectTypeText, op.ObjectIdText, op.SubkeyText);
                    if (later.TryGetValue(row, out var target))
                    {
                        batch.Add((chunk["_id"], op.OpId.Value, target));
                        if (batch.Count >= options.BatchSize)
                        {
                            moved += ApplyMoves(batch);
                            batch.Clear();
                        }
                    }
                    else if (later.Count < options.MaxTrackedRows)
                    {
                        later[row] = op.OpId.Value;
                    }
                }
            }
            var oldest = LiteDbKeys.LastNumber(chunks[^1]["_id"]);
            if (oldest <= 1) break;
            high = LiteDbSchema.OpKey(version, bucket, oldest - 1);
        }
        moved += ApplyMoves(batch);
        return (scanned, moved);
    }

    /// <summary>Turns the listed ops that are still PUT or REMOVE into MOVEs, rewriting their chunks.</summary>
    private long ApplyMoves(List<(BsonValue Chunk, long OpId, long Target)> batch)
    {
        if (batch.Count == 0) return 0;
        return storage.InTransaction(_ =>
        {
            long changed = 0;
            foreach (var moves in batch.GroupBy(m => Convert.ToBase64String(m.Chunk.AsBinary)))
            {
                var key = moves.First().Chunk;
                if (Ops.FindById(key) is not { } chunk) continue;
                var ops = LiteDbOpChunks.ReadAll(chunk);
                var targets = moves.ToDictionary(m => m.OpId, m => m.Target);
                var builder = new LiteDbOpChunks.Builder();
                var changedHere = 0;
                foreach (var op in ops)
                {
                    if (targets.TryGetValue(op.OpId.Value, out var target) && op.Op is (OpType.Put or OpType.Remove))
                    {
                        builder.Add(op.OpId.Value, OpType.Move, op.Checksum, null, null, null, null, target);
                        changedHere++;
                    }
                    else
                    {
                        builder.Add(op);
                    }
                }
                if (changedHere == 0) continue;
                Ops.Update(LiteDbOpChunks.Document(key, builder.Take()));
                changed += changedHere;
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
        var high = LiteDbSchema.OpKey(version, bucket, long.MaxValue);
        var ops = new List<OplogEntry>();
        var reachedEnd = false;
        while (!reachedEnd)
        {
            var chunks = Ops.Query().Where(Query.Between("_id", low, high)).OrderBy("_id").Limit(ScanChunks).ToList();
            if (chunks.Count == 0) break;
            foreach (var chunk in chunks)
            {
                ops.Clear();
                reachedEnd = LiteDbOpChunks.Read(chunk, 0, checkpoint.Value, ops);
                foreach (var op in ops)
                {
                    if (op.Op == OpType.Put)
                    {
                        reachedEnd = true;
                        break;
                    }
                    count++;
                    sum = OpChecksum.Add(sum, op.Checksum);
                    lastOp = op.OpId.Value;
                    if (op.TargetOp is { } target) maxTarget = Math.Max(maxTarget ?? 0, target.Value);
                }
                if (reachedEnd) break;
            }
            low = LiteDbSchema.OpKey(version, bucket, LiteDbKeys.LastNumber(chunks[^1]["_id"]) + 1);
        }
        if (count < 2) return 0;
        // Chunks keyed up to the run's last op hold nothing else; the next chunk may begin with the run's end.
        Ops.DeleteMany(Query.Between("_id", LiteDbSchema.OpKey(version, bucket, 1L), LiteDbSchema.OpKey(version, bucket, lastOp)));
        var next = Ops.Query().Where(Query.Between("_id", LiteDbSchema.OpKey(version, bucket, lastOp + 1), high)).OrderBy("_id").Limit(1).FirstOrDefault();
        if (next is not null)
        {
            var rest = new List<OplogEntry>();
            LiteDbOpChunks.Read(next, lastOp, long.MaxValue, rest);
            if (rest.Count < LiteDbOpChunks.ReadAll(next).Count)
            {
                var builder = new LiteDbOpChunks.Builder();
                foreach (var op in rest) builder.Add(op);
                Ops.Update(LiteDbOpChunks.Document(next["_id"], builder.Take()));
            }
        }
        var clear = new LiteDbOpChunks.Builder();
        clear.Add(lastOp, OpType.Clear, sum, null, null, null, null, Math.Max(maxTarget ?? lastOp, lastOp));
        Ops.Insert(LiteDbOpChunks.Document(LiteDbSchema.OpKey(version, bucket, lastOp), clear.Take()));
        var totals = Ops.FindById(LiteDbSchema.OpKey(version, bucket, 0L));
        totals["n"] = totals["n"].AsInt64 - (count - 1);
        Ops.Update(totals);
        return count - 1;
    }
}
