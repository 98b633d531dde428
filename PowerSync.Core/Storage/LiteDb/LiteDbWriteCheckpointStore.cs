using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// Write checkpoints as documents keyed (key, id) with their LSN: a checkpoint at LSN L shows the newest
/// id recorded at or before L. A key's documents are one range of the index, read newest id first.
/// </summary>
internal sealed class LiteDbWriteCheckpointStore(LiteDbBucketStorage storage) : IWriteCheckpointStore
{
    // Reading the largest id and inserting the next must not interleave for one key.
    private readonly object _gate = new();

    private ILiteCollection<BsonDocument> Collection => storage.Database.GetCollection(LiteDbKeys.WriteCheckpoints);

    public Task<long> CreateAsync(string key, Lsn headLsn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            return Task.FromResult(storage.InTransaction(_ =>
            {
                var id = Newest(key).Select(r => r.Id).FirstOrDefault() + 1;
                Insert(key, id, headLsn);
                return id;
            }));
        }
    }

    public Task<long> RequestAsync(string key, long requestedId, Lsn headLsn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (requestedId < 1)
        {
            throw new PowerSyncException(StorageErrorCodes.InvalidCheckpointRequest,
                $"checkpoint_request_id must be between 1 and 9223372036854775807, not {requestedId}: send a positive id that grows with each request.");
        }
        lock (_gate)
        {
            return Task.FromResult(storage.InTransaction(_ =>
            {
                var stored = Newest(key).Select(r => r.Id).FirstOrDefault();
                if (requestedId <= stored) return stored;
                Insert(key, requestedId, headLsn);
                return requestedId;
            }));
        }
    }

    public Task<long?> GetAsync(string key, Lsn checkpointLsn, CancellationToken ct)
    {
        // LSNs are unsigned: compare them as Lsn values.
        foreach (var (id, lsn) in Newest(key))
        {
            if (lsn <= checkpointLsn) return Task.FromResult<long?>(id);
        }
        return Task.FromResult<long?>(null);
    }

    private IEnumerable<(long Id, Lsn Lsn)> Newest(string key)
    {
        var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(key));
        return Collection.Query().Where(Query.Between("_id", low, high)).OrderByDescending("_id").ToEnumerable()
            .Select(d => (LiteDbKeys.LastNumber(d["_id"]), StoredLsn.FromStored(d["lsn"].AsInt64)));
    }

    private void Insert(string key, long id, Lsn lsn) =>
        Collection.Insert(new BsonDocument { ["_id"] = LiteDbKeys.Of(key, id), ["lsn"] = StoredLsn.ToStored(lsn) });
}
