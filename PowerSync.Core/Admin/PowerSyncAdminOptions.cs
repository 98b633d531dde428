using PowerSync.Core.Hosting;

namespace PowerSync.Core.Admin;

/// <summary>
/// Where the administration calls of <see cref="PowerSyncAdmin"/> look: the source database, the sync rules
/// and the bucket store, named as in <see cref="PowerSyncOptions"/>. Each call checks that what it needs is set.
/// </summary>
public sealed record PowerSyncAdminOptions
{
    /// <summary>Connection string of the source Postgres database (validate, preview, and the slots in a status).</summary>
    public string? SourceConnectionString { get; init; }

    /// <summary>The publication replication uses. Default <c>powersync</c>.</summary>
    public string PublicationName { get; init; } = "powersync";

    /// <summary>The sync rules YAML; or set <see cref="SyncRulesPath"/>.</summary>
    public string? SyncRules { get; init; }

    /// <summary>A file holding the sync rules YAML (named in every problem found in it); or set <see cref="SyncRules"/>.</summary>
    public string? SyncRulesPath { get; init; }

    /// <summary>The bucket store's file (status, compaction; optional for validate and preview). Never created by these calls.</summary>
    public string? StoragePath { get; init; }

    /// <summary>What the bucket store is built on. Default <see cref="BucketStorageEngine.Sqlite"/>.</summary>
    public BucketStorageEngine StorageEngine { get; init; } = BucketStorageEngine.Sqlite;

    /// <summary>The settings of a running app's <see cref="PowerSyncOptions"/>.</summary>
    public static PowerSyncAdminOptions From(PowerSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PowerSyncAdminOptions
        {
            SourceConnectionString = options.SourceConnectionString,
            PublicationName = options.PublicationName,
            SyncRules = options.SyncRules,
            SyncRulesPath = options.SyncRulesPath,
            StoragePath = options.StoragePath,
            StorageEngine = options.StorageEngine,
        };
    }
}
