using Microsoft.Extensions.Logging;

namespace PowerSync.Core;

/// <summary>One log event: its stable id, the logger category it is written to, its level and what it says.</summary>
public sealed record PowerSyncEventInfo(int Id, string Category, LogLevel Level, string Meaning);

/// <summary>
/// Every log event PowerSync.Core writes, with a stable id in a range per area (1000s replication, 2000s sync
/// endpoints, 3000s replication supervision, 4000s the rules checked against the source, 5000s auth, 6000s storage;
/// the client's are 9000s), and the logger categories, one per area, to filter them by. docs/operations.md lists
/// the same, and a test keeps both equal to the code.
/// </summary>
public static class PowerSyncEvents
{
    /// <summary>Replication: the source stream, snapshots, versions replicating, slots.</summary>
    public const string ReplicationCategory = "PowerSync.Replication";

    /// <summary>The sync endpoints: streams, refusals.</summary>
    public const string SyncCategory = "PowerSync.Sync";

    /// <summary>The sync rules checked against the source database.</summary>
    public const string SyncRulesCategory = "PowerSync.SyncRules";

    /// <summary>Authentication: the JWKS.</summary>
    public const string AuthCategory = "PowerSync.Auth";

    /// <summary>The bucket store: compaction, the shared store's checkpoints and replication lease.</summary>
    public const string StorageCategory = "PowerSync.Storage";

    /// <summary>Every event, in id order.</summary>
    public static IReadOnlyList<PowerSyncEventInfo> All { get; } =
    [
        new(1001, ReplicationCategory, LogLevel.Information, "Replication slot created (name, LSN)."),
        new(1002, ReplicationCategory, LogLevel.Information, "A table's initial snapshot is done (rows)."),
        new(1003, ReplicationCategory, LogLevel.Information, "The initial snapshot is done; checkpoints start after the given LSN."),
        new(1004, ReplicationCategory, LogLevel.Warning, "Replication connection lost or silent; reconnecting (code, reason, delay, attempt). No stack trace."),
        new(1005, ReplicationCategory, LogLevel.Warning, "The sync rules could not evaluate a row (the row is skipped for that query only)."),
        new(1006, ReplicationCategory, LogLevel.Warning, "A source check warning (e.g. a table without replica identity, row-level security)."),
        new(1007, ReplicationCategory, LogLevel.Information, "A table was renamed, or dropped and created again: its stored rows leave the buckets."),
        new(1008, ReplicationCategory, LogLevel.Information, "Replication works again after a failure (it streams, or its snapshot advances)."),
        new(2001, SyncCategory, LogLevel.Information, "A sync request was refused (code, HTTP status, reason; never the token, and token values such as kid cut to 40 characters)."),
        new(2002, SyncCategory, LogLevel.Warning, "A sync stream ended with an error (user, code)."),
        new(2003, SyncCategory, LogLevel.Error, "A sync stream failed unexpectedly (a bug: please report it); the exception only, no user id."),
        new(3001, ReplicationCategory, LogLevel.Information, "A sync-rules version starts replicating (version, state, slot)."),
        new(3002, ReplicationCategory, LogLevel.Error, "Replication of a version failed unexpectedly (a bug: please report it), with the exception, the first time; retrying (code, delay, attempt). Repeats of the same failure are 3007."),
        new(3003, ReplicationCategory, LogLevel.Information, "Replication of a version stopped (it was replaced)."),
        new(3004, ReplicationCategory, LogLevel.Warning, "A version's slot was lost; a copy of its rules re-snapshots while it keeps serving."),
        new(3005, ReplicationCategory, LogLevel.Information, "The slot of a retired version was dropped at the source."),
        new(3006, ReplicationCategory, LogLevel.Warning, "The slot of a retired version could not be dropped yet (still in use, or source down); retried (code, reason, delay). No stack trace."),
        new(3007, ReplicationCategory, LogLevel.Warning, "Replication of a version cannot go on (the source down, restarting or not ready, or another coded failure); retrying (code, reason, delay, attempt): one line per attempt, no stack trace."),
        new(3008, ReplicationCategory, LogLevel.Debug, "The exception behind a 3006 or 3007 failure, with its stack trace: once, until the failure changes."),
        new(3009, ReplicationCategory, LogLevel.Information, "Clients are served from another sync-rules version now (version, checkpoint): a new version became active, or the first checkpoint after start."),
        new(3010, ReplicationCategory, LogLevel.Information, "Standing by for a sync-rules version another instance replicates into the shared store (version, reason); this one takes over if that one stops."),
        new(3011, ReplicationCategory, LogLevel.Warning, "Took over a version: ended the replication connection a former writer left on its slot (pid, slot, version)."),
        new(4001, SyncRulesCategory, LogLevel.Warning, "At start-up, the sync rules do not match the source database (location, code, description): one event per problem."),
        new(4002, SyncRulesCategory, LogLevel.Warning, "At start-up, the sync rules could not be checked against the source database (it cannot be reached); replication retries by itself."),
        new(4003, SyncRulesCategory, LogLevel.Information, "At start-up, the sync rules match the source database (table references checked)."),
        new(5001, AuthCategory, LogLevel.Warning, "Refreshing the JWKS failed (reason); the keys fetched earlier are still used until they reach Auth.JwksMaxAge."),
        new(5002, AuthCategory, LogLevel.Error, "Refreshing the JWKS failed (reason) and no recent keys are cached: tokens signed with its keys are refused (401, PSYNC_S2204) until it answers."),
        new(6001, StorageCategory, LogLevel.Information, "A sync-rules version of the bucket store was compacted (version, buckets, ops read, moved, cleared, duration)."),
        new(6002, StorageCategory, LogLevel.Warning, "Listening for checkpoints of the Postgres bucket store failed (reason, reconnect delay); sessions here see no new checkpoint until it reconnects."),
        new(6003, StorageCategory, LogLevel.Information, "This instance now replicates a sync-rules version of the shared store (version, lease token, previous holder)."),
        new(6004, StorageCategory, LogLevel.Warning, "This instance lost the replication lease of a version (taken over, or not renewed in time); its writer commits nothing more."),
        new(6005, StorageCategory, LogLevel.Warning, "Taking over a version, the previous writer's connection could not be ended (no permission); its locks may delay the new writer."),
    ];
}
