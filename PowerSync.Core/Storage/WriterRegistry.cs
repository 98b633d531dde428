namespace PowerSync.Core.Storage;

/// <summary>The versions that have a writer open: a store allows one replicator per version.</summary>
internal sealed class WriterRegistry
{
    private readonly HashSet<long> _versions = [];

    /// <summary>Opens the version's writer with <paramref name="open"/>, refusing a second one while the first is open.</summary>
    public Task<IBucketStorageWriter> OpenAsync(SyncRulesVersion version, Func<IBucketStorageWriter> open)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_versions)
        {
            if (!_versions.Add(version.Id))
            {
                throw new PowerSyncException(StorageErrorCodes.WriterAlreadyOpen,
                    $"Sync-rules version {version.Id} already has a writer: storage allows one replicator per version. Dispose the other writer first.");
            }
        }
        try
        {
            return Task.FromResult(open());
        }
        catch
        {
            Closed(version.Id);
            throw;
        }
    }

    /// <summary>The version's writer was disposed.</summary>
    public void Closed(long versionId)
    {
        lock (_versions) _versions.Remove(versionId);
    }
}
