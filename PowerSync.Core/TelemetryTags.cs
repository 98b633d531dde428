namespace PowerSync.Core;

/// <summary>
/// Tag names of PowerSync's activities (docs/operations.md, "Tracing"). The tags that tie one change across the
/// asynchronous steps are <see cref="CheckpointOpId"/> and <see cref="Lsn"/>: a storage commit and every checkpoint
/// sent from it carry the same values.
/// </summary>
internal static class TelemetryTags
{
    public const string RulesVersion = "powersync.sync_rules.version";
    public const string Slot = "powersync.replication.slot";
    public const string Transactions = "powersync.replication.transactions";
    public const string Rows = "powersync.replication.rows";
    public const string Lsn = "powersync.lsn";
    public const string CheckpointOpId = "powersync.checkpoint.op_id";
    public const string StorageOps = "powersync.storage.ops";
    public const string StorageBuckets = "powersync.storage.buckets";
    public const string ClientId = "powersync.client_id";
    public const string UserHash = "powersync.user_hash";
    public const string Line = "powersync.sync.line";
    public const string Buckets = "powersync.sync.buckets";
    public const string BucketsChanged = "powersync.sync.buckets_changed";
    public const string Ops = "powersync.sync.ops";
    public const string Bytes = "powersync.sync.bytes";
    public const string Complete = "powersync.sync.complete";
    public const string Checkpoints = "powersync.sync.checkpoints";
    public const string Bucket = "powersync.sync.bucket";
    public const string ErrorType = "error.type";
}
