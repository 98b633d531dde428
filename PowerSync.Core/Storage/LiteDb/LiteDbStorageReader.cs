using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>Reads for sync sessions; reads that combine several queries run in one LiteDB transaction, which sees one state of each collection.</summary>
internal sealed class LiteDbStorageReader(LiteDbBucketStorage storage) : IBucketStorageReader
{
    private ILiteCollection<BsonDocument> Ops => storage.Database.GetCollection(LiteDbKeys.Ops);

    public Task<Checkpoint?> GetCheckpointAsync(CancellationToken cancellationToken) => Task.FromResult(storage.Broadcast.Latest);

    // Totals and the ops after the checkpoint are read in one transaction: the same state of both.
    public Task<IReadOnlyList<BucketChecksum>> GetChecksumsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> buckets, CancellationToken cancellationToken) =>
        Task.FromResult(storage.Checksums.GetOrCompute(checkpoint, buckets,
            misses => storage.InTransaction(_ => misses.Select(bucket => Checksum(checkpoint, bucket)).ToList())));

    /// <summary>A bucket's totals at the checkpoint: the stored totals, less any ops committed after it.</summary>
    private BucketChecksum Checksum(Checkpoint checkpoint, string bucket)
    {
        var totals = Ops.FindById(LiteDbSchema.OpKey(checkpoint.RulesVersion, bucket, 0L));
        if (totals is null) return new BucketChecksum(bucket, 0, 0);
        var sum = (uint)totals["cs"].AsInt64;
        var count = totals["n"].AsInt64;
        if (totals["last"].AsInt64 > checkpoint.OpId.Value)
        {
            var newer = Query.Between("_id",
                LiteDbSchema.OpKey(checkpoint.RulesVersion, bucket, checkpoint.OpId.Value + 1),
                LiteDbSchema.OpKey(checkpoint.RulesVersion, bucket, long.MaxValue));
            foreach (var op in Ops.Find(newer))
            {
                sum = unchecked(sum - (uint)op["cs"].AsInt64);
                count--;
            }
        }
        return new BucketChecksum(bucket, sum, count);
    }

    public Task<BucketDataPage> ReadBucketPageAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOps, 1);
        var ops = new List<OplogEntry>(Math.Min(maxOps, 1024));
        var hasMore = false;
        if (position.After < checkpoint.OpId)
        {
            long bytes = 0;
            var range = Query.Between("_id",
                LiteDbSchema.OpKey(checkpoint.RulesVersion, position.Bucket, position.After.Value + 1),
                LiteDbSchema.OpKey(checkpoint.RulesVersion, position.Bucket, checkpoint.OpId.Value));
            foreach (var doc in Ops.Query().Where(range).OrderBy("_id").Limit(maxOps + 1).ToList())
            {
                if (ops.Count == maxOps || (ops.Count > 0 && bytes >= maxBytes))
                {
                    hasMore = true;
                    break;
                }
                var data = doc["d"].IsNull ? null : doc["d"].AsString;
                var op = OplogEntry.FromText(
                    new OpId(LiteDbKeys.LastNumber(doc["_id"])),
                    (OpType)doc["o"].AsInt32,
                    doc["ot"].IsNull ? null : doc["ot"].AsString,
                    doc["oi"].IsNull ? null : doc["oi"].AsString,
                    doc["sk"].IsNull ? null : doc["sk"].AsString,
                    data,
                    (uint)doc["cs"].AsInt64,
                    doc["t"].IsNull ? null : new OpId(doc["t"].AsInt64));
                bytes += op.Data?.Length ?? 0;
                ops.Add(op);
            }
        }
        return Task.FromResult(new BucketDataPage(position.Bucket, position.After, ops, hasMore));
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetParameterSetsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> lookups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        var parameters = storage.Database.GetCollection(LiteDbKeys.Parameters);
        var result = storage.InTransaction(_ =>
        {
            var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var lookup in lookups)
            {
                if (result.ContainsKey(lookup)) continue;
                // Entries of a source row are neighbours, in op order: keep the newest at the checkpoint.
                var newest = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
                var order = new List<string>();
                var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(checkpoint.RulesVersion, lookup));
                foreach (var doc in parameters.Query().Where(Query.Between("_id", low, high)).OrderBy("_id").ToEnumerable())
                {
                    if (LiteDbKeys.LastNumber(doc["_id"]) > checkpoint.OpId.Value) continue;
                    var row = LiteDbKeys.WithoutLastNumber(doc["_id"]);
                    if (!newest.ContainsKey(row)) order.Add(row);
                    newest[row] = doc;
                }
                // A null entry means the row retracted the lookup.
                result[lookup] = order.Select(r => newest[r]["p"]).Where(p => !p.IsNull).Select(p => p.AsString).ToList();
            }
            return result;
        });
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(result);
    }
}
