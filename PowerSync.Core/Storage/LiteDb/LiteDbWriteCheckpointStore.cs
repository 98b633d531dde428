using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// Write checkpoints as documents keyed (user, client, id) with their LSN, at most
/// <see cref="WriteCheckpointRows.Kept"/> per key: a key's documents are one range of the index, read newest
/// id first. Documents of the old single-string key (<c>write_checkpoints</c>, written before keys were
/// structured) are read as a key's history until it records an id of its own, which continues after them.
/// </summary>
internal sealed class LiteDbWriteCheckpointStore(LiteDbBucketStorage storage) : IWriteCheckpointStore
{
    // Reading the largest id and inserting the next must not interleave for one key.
    private readonly object _gate = new();

    private ILiteCollection<BsonDocument> Collection => storage.Database.GetCollection(LiteDbKeys.WriteCheckpointIds);

    private ILiteCollection<BsonDocument> Legacy => storage.Database.GetCollection(LiteDbKeys.WriteCheckpoints);

    public Task<long> CreateAsync(WriteCheckpointKey key, Lsn headLsn, CancellationToken cancellationToken) =>
        Task.FromResult(Record(key, stored => WriteCheckpointRows.Next(stored), headLsn));

    public Task<long> RequestAsync(WriteCheckpointKey key, long requestedId, Lsn headLsn, CancellationToken cancellationToken)
    {
        WriteCheckpointRows.CheckRequested(requestedId);
        return Task.FromResult(Record(key, stored => requestedId > stored ? requestedId : null, headLsn));
    }

    public Task<long?> GetAsync(WriteCheckpointKey key, Lsn checkpointLsn, CancellationToken cancellationToken) =>
        Task.FromResult(WriteCheckpointRows.At(Newest(key).Rows, checkpointLsn));

    private long Record(WriteCheckpointKey key, Func<long, long?> next, Lsn headLsn)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.UserId);
        lock (_gate)
        {
            return storage.InTransaction(_ =>
            {
                var (rows, legacy) = Newest(key);
                var stored = rows.Count == 0 ? 0 : rows[0].Id;
                if (next(stored) is not { } id) return stored;
                // The first id of a key that only has legacy rows carries the newest of them over as its history.
                if (legacy && rows.Count > 0) Insert(key, rows[0].Id, rows[0].Lsn);
                Insert(key, id, headLsn);
                foreach (var old in Range(Collection, Prefix(key)).Skip(WriteCheckpointRows.Kept).ToList())
                    Collection.Delete(old["_id"]);
                return id;
            });
        }
    }

    private (List<(long Id, Lsn Lsn)> Rows, bool Legacy) Newest(WriteCheckpointKey key)
    {
        var rows = Read(Range(Collection, Prefix(key)));
        return rows.Count > 0 ? (rows, false) : (Read(Range(Legacy, LiteDbKeys.Of(key.LegacyText))), true);
    }

    private static List<(long Id, Lsn Lsn)> Read(IEnumerable<BsonDocument> documents) =>
        [.. documents.Take(WriteCheckpointRows.Kept).Select(d => (LiteDbKeys.LastNumber(d["_id"]), StoredLsn.FromStored(d["lsn"].AsInt64)))];

    /// <summary>The documents under <paramref name="prefix"/>, newest id first.</summary>
    private static IEnumerable<BsonDocument> Range(ILiteCollection<BsonDocument> collection, BsonValue prefix)
    {
        var (low, high) = LiteDbKeys.Range(prefix);
        return collection.Query().Where(Query.Between("_id", low, high)).OrderByDescending("_id").ToEnumerable();
    }

    private static BsonValue Prefix(WriteCheckpointKey key) => LiteDbKeys.Of(key.UserId, key.ClientId);

    private void Insert(WriteCheckpointKey key, long id, Lsn lsn) =>
        Collection.Insert(new BsonDocument { ["_id"] = LiteDbKeys.Of(key.UserId, key.ClientId, id), ["lsn"] = StoredLsn.ToStored(lsn) });
}
