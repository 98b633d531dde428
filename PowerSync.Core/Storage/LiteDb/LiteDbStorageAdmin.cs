using System.Security.Cryptography;
using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>Sync-rules versions on the LiteDB store: deploy, look up, open writers, remove replaced versions, reset.</summary>
internal sealed class LiteDbStorageAdmin(LiteDbBucketStorage storage) : IBucketStorageAdmin
{
    private const int DeleteChunk = 10_000;

    private readonly WriterRegistry _writers = new();

    private ILiteCollection<BsonDocument> Rules => storage.Database.GetCollection(LiteDbKeys.Rules);

    public Task<SyncRulesVersion> DeployAsync(string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Task.FromResult(storage.InTransaction(_ =>
        {
            var newest = Versions(d => d.State is SyncRulesState.Processing or SyncRulesState.Active).LastOrDefault();
            return newest is not null && newest.Content == content ? newest : Insert(content);
        }));
    }

    public Task<SyncRulesVersion> ReplaceAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Task.FromResult(storage.InTransaction(_ =>
            Versions(d => d.State == SyncRulesState.Processing && d.Id > version.Id).LastOrDefault() ?? Insert(version.Content)));
    }

    public Task<IReadOnlyList<SyncRulesVersion>> GetRetiredAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SyncRulesVersion>>(
            Versions(d => d.State is SyncRulesState.Stopped or SyncRulesState.Terminated && d.SlotName.Length > 0));

    public Task ForgetSlotAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        storage.InTransaction(_ =>
        {
            var doc = Rules.FindById(version.Id);
            if (doc is null || (SyncRulesState)doc["state"].AsInt32 is not (SyncRulesState.Stopped or SyncRulesState.Terminated)) return false;
            doc["slot"] = "";
            return Rules.Update(doc);
        });
        return Task.CompletedTask;
    }

    /// <summary>Every version matching <paramref name="where"/>, oldest first.</summary>
    private List<SyncRulesVersion> Versions(Func<SyncRulesVersion, bool> where) =>
        Rules.FindAll().Select(LiteDbSchema.ToVersion).Where(where).OrderBy(v => v.Id).ToList();

    /// <summary>A new processing version (superseding one still processing) with its own slot name; runs in the caller's transaction.</summary>
    private SyncRulesVersion Insert(string content)
    {
        var documents = Rules.FindAll().ToList();
        // A version still processing is superseded by the new one before it ever served.
        foreach (var doc in documents.Where(d => (SyncRulesState)d["state"].AsInt32 == SyncRulesState.Processing))
        {
            doc["state"] = (int)SyncRulesState.Stopped;
            Rules.Update(doc);
        }
        var id = documents.Count == 0 ? 1 : documents.Max(d => d["_id"].AsInt64) + 1;
        var slot = $"powersync_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        Rules.Insert(LiteDbSchema.NewVersion(id, content, slot));
        return new SyncRulesVersion(id, content, SyncRulesState.Processing, slot);
    }

    public Task<SyncRulesVersion?> GetActiveAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Versions(d => d.State == SyncRulesState.Active).LastOrDefault());

    public Task<SyncRulesVersion?> GetProcessingAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Versions(d => d.State == SyncRulesState.Processing).LastOrDefault());

    public Task<IReadOnlyList<(SyncRulesVersion Version, VersionState State)>> ListVersionsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(SyncRulesVersion, VersionState)>>(
            [.. Rules.FindAll().OrderBy(d => d["_id"].AsInt64).Select(d => (LiteDbSchema.ToVersion(d), LiteDbSchema.LoadState(d)))]);

    public Task<IBucketStorageWriter> OpenWriterAsync(SyncRulesVersion version, CancellationToken cancellationToken) =>
        _writers.OpenAsync(version, () => LiteDbStorageWriter.Open(storage, version!));

    internal void WriterClosed(long versionId) => _writers.Closed(versionId);

    public Task RemoveStoppedVersionsAsync(CancellationToken cancellationToken)
    {
        RemoveStoppedVersions(cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Deletes stopped versions' data in bounded transactions (a chunk of keys at a time), then marks them terminated.</summary>
    internal void RemoveStoppedVersions(CancellationToken cancellationToken)
    {
        foreach (var version in Versions(d => d.State == SyncRulesState.Stopped))
        {
            var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(version.Id));
            foreach (var name in new[] { LiteDbKeys.Ops, LiteDbKeys.Buckets, LiteDbKeys.Rows, LiteDbKeys.Parameters, LiteDbKeys.Progress, LiteDbKeys.Relations })
            {
                var collection = storage.Database.GetCollection(name);
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var keys = collection.Query().Where(Query.Between("_id", low, high)).Select("_id").Limit(DeleteChunk).ToList();
                    if (keys.Count == 0) break;
                    storage.InTransaction(_ => keys.Count(k => collection.Delete(k["_id"])));
                }
            }
            storage.InTransaction(_ =>
            {
                var doc = Rules.FindById(version.Id);
                doc["state"] = (int)SyncRulesState.Terminated;
                return Rules.Update(doc);
            });
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken)
    {
        storage.InTransaction(db =>
        {
            foreach (var name in new[] { LiteDbKeys.Ops, LiteDbKeys.Buckets, LiteDbKeys.Rows, LiteDbKeys.Parameters, LiteDbKeys.Progress,
                LiteDbKeys.Relations, LiteDbKeys.WriteCheckpoints, LiteDbKeys.WriteCheckpointIds, LiteDbKeys.Rules })
            {
                db.GetCollection(name).DeleteAll();
            }
            return true;
        });
        storage.Checksums.InvalidateAll();
        storage.Broadcast.Reset();
        return Task.CompletedTask;
    }
}
