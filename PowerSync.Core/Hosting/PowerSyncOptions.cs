using PowerSync.Core.Auth;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Everything PowerSync needs from the host application, set once in
/// <c>services.AddPowerSync(options =&gt; ...)</c> and checked when the application starts (every
/// problem is reported together).
/// </summary>
public sealed class PowerSyncOptions
{
    /// <summary>Connection string of the source Postgres database (a role with REPLICATION).</summary>
    public string? SourceConnectionString { get; set; }

    /// <summary>The publication listing the replicated tables. Default <c>powersync</c>.</summary>
    public string PublicationName { get; set; } = "powersync";

    /// <summary>The sync rules YAML. Set this or <see cref="SyncRulesPath"/>.</summary>
    public string? SyncRules { get; set; }

    /// <summary>A file holding the sync rules YAML. Set this or <see cref="SyncRules"/>.</summary>
    public string? SyncRulesPath { get; set; }

    /// <summary>The embedded bucket store's database file. Default <c>powersync-buckets.db</c> in the working directory.</summary>
    public string StoragePath { get; set; } = "powersync-buckets.db";

    /// <summary>
    /// What the bucket store is built on. Default <see cref="BucketStorageEngine.Sqlite"/>, by far the faster;
    /// <see cref="BucketStorageEngine.LiteDb"/> needs no native library. A file is only readable by the engine that wrote it.
    /// </summary>
    public BucketStorageEngine StorageEngine { get; set; } = BucketStorageEngine.Sqlite;

    /// <summary>How sync clients authenticate.</summary>
    public PowerSyncAuthOptions Auth { get; } = new();

    /// <summary>Open sync streams allowed on this instance; more get HTTP 429 (PSYNC_S2304). Default 10,000.</summary>
    public int MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>Buckets one connection may sync; more fail the stream (PSYNC_S2305). Default 1,000.</summary>
    public int MaxBucketsPerConnection { get; set; } = 1_000;

    /// <summary>Largest accepted request body. Default 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Distinct stream subscriptions one sync request may hold (repeats are merged first); more get HTTP 400 (PSYNC_N2403). Default 100.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = Protocol.SyncRequest.DefaultMaxSubscriptions;

    /// <summary>Open sync streams one user may have on this instance; more get HTTP 429 (PSYNC_N2404). Default 0: no per-user limit.</summary>
    public int MaxStreamsPerUser { get; set; }

    /// <summary>
    /// Whether problems found by checking the sync rules against the source database at start-up (a table
    /// missing or not published, an unknown column, a table without replica identity, an inactive old slot)
    /// fail start-up with one <see cref="PowerSyncException"/> (PSYNC_N4000) listing them all. Default false:
    /// they are logged as warnings and exposed as <see cref="PowerSyncService.SourceValidationProblems"/>.
    /// </summary>
    public bool FailOnSourceValidationProblems { get; set; }

    /// <summary>
    /// Silence after which the replication connection counts as dead (half-open, or a frozen network path) and is
    /// replaced. Postgres sends keepalives every <c>wal_sender_timeout</c>/2, and PowerSync asks it for one after
    /// half this time without a message; TCP keepalives probe the connection too. Default 30 s; at least 1 s.
    /// </summary>
    public TimeSpan ReplicationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Lag behind the source beyond which the health check reports <c>Degraded</c>: how long ago the source
    /// was at the oldest position replication has not made durable yet (zero on an idle, caught-up source).
    /// Default 1 minute.
    /// </summary>
    public TimeSpan ReplicationLagThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every problem with these options.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(SourceConnectionString))
            problems.Add("SourceConnectionString: give the connection string of the source Postgres database.");
        if (string.IsNullOrWhiteSpace(SyncRules) == string.IsNullOrWhiteSpace(SyncRulesPath))
            problems.Add("Sync rules: set exactly one of SyncRules (the YAML) or SyncRulesPath (a file with it).");
        else if (SyncRulesPath is not null && !File.Exists(SyncRulesPath))
            problems.Add($"SyncRulesPath: the file '{Path.GetFullPath(SyncRulesPath)}' does not exist.");
        if (string.IsNullOrWhiteSpace(PublicationName))
            problems.Add("PublicationName: name the Postgres publication to replicate (default 'powersync').");
        if (string.IsNullOrWhiteSpace(StoragePath))
            problems.Add("StoragePath: name the file of the bucket store.");
        if (!Enum.IsDefined(StorageEngine))
            problems.Add($"StorageEngine {(int)StorageEngine} is not a BucketStorageEngine: use Sqlite or LiteDb.");
        if (MaxConcurrentConnections < 1) problems.Add($"MaxConcurrentConnections must be at least 1 (was {MaxConcurrentConnections}).");
        if (MaxBucketsPerConnection < 1) problems.Add($"MaxBucketsPerConnection must be at least 1 (was {MaxBucketsPerConnection}).");
        if (MaxRequestBodyBytes < 1024) problems.Add($"MaxRequestBodyBytes must be at least 1024 (was {MaxRequestBodyBytes}).");
        if (MaxSubscriptionsPerConnection < 1) problems.Add($"MaxSubscriptionsPerConnection must be at least 1 (was {MaxSubscriptionsPerConnection}).");
        if (MaxStreamsPerUser < 0) problems.Add($"MaxStreamsPerUser must be 0 (no limit) or more (was {MaxStreamsPerUser}).");
        if (ReplicationTimeout < TimeSpan.FromSeconds(1) || ReplicationTimeout > TimeSpan.FromHours(1))
            problems.Add($"ReplicationTimeout must be between 1 second and 1 hour (was {ReplicationTimeout}).");
        if (ReplicationLagThreshold <= TimeSpan.Zero)
            problems.Add($"ReplicationLagThreshold must be positive (was {ReplicationLagThreshold}).");
        problems.AddRange(Auth.Problems());
        return problems;
    }
}

/// <summary>What the embedded bucket store is built on.</summary>
public enum BucketStorageEngine
{
    /// <summary>SQLite in WAL mode (the default): one writer per sync-rules version and concurrent readers.</summary>
    Sqlite,

    /// <summary>LiteDB: a managed single-file store; passes the same conformance suite, appends about ten times slower.</summary>
    LiteDb,
}
