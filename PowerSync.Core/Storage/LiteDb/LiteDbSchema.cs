using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The store's collections (documents keyed by <see cref="LiteDbKeys"/>) and the stored form of a
/// version's state. LSNs are stored as the same 64 bits in a signed integer (<see cref="StoredLsn"/>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>meta</c>: <c>schema_version</c>, <c>next_op_id</c>.</item>
/// <item><c>rules</c>: one document per version (numeric id): content, state, slot, progress, checkpoint.</item>
/// <item><c>buckets</c>: (version, name) → name; the list of a version's buckets.</item>
/// <item><c>ops</c>: (version, bucket, last op id) → a chunk of the bucket's ops (<see cref="LiteDbOpChunks"/>); op id 0 holds the bucket's totals (checksum, count, last op).</item>
/// <item><c>rows</c>: (version, table, key) → membership and raw row.</item>
/// <item><c>parameters</c>: (version, lookup, table, key, op id) → parameters (null: retracted).</item>
/// <item><c>relations</c>, <c>progress</c>: per version; <c>write_checkpoint_ids</c>: (user, client, id) → lsn, two per key; <c>write_checkpoints</c>: the same under the old single-string key, read only.</item>
/// </list>
/// </remarks>
internal static class LiteDbSchema
{
    /// <summary>2: ops in chunks. A version 1 store (one op per document) is read as it is and marked version 2 when opened.</summary>
    public const int Version = 2;

    private const int OpPerDocumentVersion = 1;

    public static void Initialize(LiteDatabase database, string path)
    {
        var meta = database.GetCollection(LiteDbKeys.Meta);
        var version = meta.FindById("schema_version");
        if (version is null)
        {
            meta.Upsert(new BsonDocument { ["_id"] = "schema_version", ["v"] = Version });
            if (meta.FindById("next_op_id") is null) meta.Upsert(new BsonDocument { ["_id"] = "next_op_id", ["v"] = 1L });
            return;
        }
        if (version["v"].AsInt32 == OpPerDocumentVersion)
        {
            // Its op documents read as chunks of one op; the mark keeps a PowerSync.Core that knows no chunks away from chunks written now.
            meta.Update(new BsonDocument { ["_id"] = "schema_version", ["v"] = Version });
            return;
        }
        if (version["v"].AsInt32 != Version)
        {
            throw new PowerSyncException(StorageErrorCodes.UnknownSchemaVersion,
                $"The bucket store at '{path}' has schema version {version["v"].AsInt32}, but this version of PowerSync.Core " +
                $"reads version {Version}. Use the PowerSync.Core version that wrote it, or delete the file to re-replicate from Postgres.");
        }
    }

    public static Checkpoint? LoadActiveCheckpoint(LiteDatabase database)
    {
        var active = database.GetCollection(LiteDbKeys.Rules)
            .Find(Query.EQ("state", (int)SyncRulesState.Active))
            .Where(d => !d["co"].IsNull)
            .OrderByDescending(d => d["_id"].AsInt64)
            .FirstOrDefault();
        return active is null ? null : LoadState(active).Checkpoint;
    }

    public static SyncRulesVersion ToVersion(BsonDocument doc) =>
        new(doc["_id"].AsInt64, doc["content"].AsString, (SyncRulesState)doc["state"].AsInt32, doc["slot"].AsString);

    public static VersionState LoadState(BsonDocument doc)
    {
        var id = doc["_id"].AsInt64;
        return new VersionState(
            (SyncRulesState)doc["state"].AsInt32,
            doc["sd"].AsBoolean,
            StoredLsn.FromStored(doc["ncb"].AsInt64),
            doc["rl"].IsNull ? null : StoredLsn.FromStored(doc["rl"].AsInt64),
            doc["co"].IsNull ? null : new Checkpoint(id, new OpId(doc["co"].AsInt64), StoredLsn.FromStored(doc["cl"].AsInt64)),
            doc["lo"].AsInt64);
    }

    public static VersionState LoadState(LiteDatabase database, long versionId) =>
        LoadState(database.GetCollection(LiteDbKeys.Rules).FindById(versionId)
            ?? throw new InvalidOperationException($"Sync-rules version {versionId} does not exist in this store."));

    /// <summary>A new version's document (processing, nothing replicated yet).</summary>
    public static BsonDocument NewVersion(long id, string content, string slot) => new()
    {
        ["_id"] = id,
        ["content"] = content,
        ["state"] = (int)SyncRulesState.Processing,
        ["slot"] = slot,
        ["sd"] = false,
        ["ncb"] = 0L,
        ["rl"] = BsonValue.Null,
        ["co"] = BsonValue.Null,
        ["cl"] = BsonValue.Null,
        ["lo"] = 0L,
    };

    public static void SaveState(BsonDocument doc, VersionState state)
    {
        doc["state"] = (int)state.State;
        doc["sd"] = state.SnapshotDone;
        doc["ncb"] = StoredLsn.ToStored(state.NoCheckpointBefore);
        doc["rl"] = state.ResumeLsn is { } r ? StoredLsn.ToStored(r) : BsonValue.Null;
        doc["co"] = state.Checkpoint is { } c ? c.OpId.Value : BsonValue.Null;
        doc["cl"] = state.Checkpoint is { } c2 ? StoredLsn.ToStored(c2.Lsn) : BsonValue.Null;
        doc["lo"] = state.LastOp;
    }

    /// <summary>The key of a bucket's op (op id 0: the bucket's totals).</summary>
    public static BsonValue OpKey(long version, string bucket, long opId) => LiteDbKeys.Of(version, bucket, opId);

    public static BsonValue RowKey(long version, string table, byte[] key) => LiteDbKeys.Of(version, table, key);
}
