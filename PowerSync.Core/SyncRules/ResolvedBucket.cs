namespace PowerSync.Core.SyncRules;

/// <summary>A bucket a client may sync: id, priority (0 highest ... 3 default) and the definition or stream it comes from.</summary>
public sealed record ResolvedBucket(string Bucket, int Priority, string Definition);
