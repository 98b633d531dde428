using Microsoft.Extensions.Logging;

namespace PowerSync.Client;

/// <summary>One client log event: its stable id, its level and what it says.</summary>
public sealed record PowerSyncClientEventInfo(int Id, LogLevel Level, string Meaning);

/// <summary>
/// Every event the client writes to <see cref="PowerSyncDatabaseOptions.Logger"/>, with stable ids in the 9000s (the
/// service's are below 9000). docs/client.md lists the same, and a test keeps both equal to the code.
/// </summary>
public static class PowerSyncClientEvents
{
    /// <summary>Every event, in id order.</summary>
    public static IReadOnlyList<PowerSyncClientEventInfo> All { get; } =
    [
        new(9001, LogLevel.Warning, "The service does not serve POST /sync/checkpoint-request; this connection uses legacy write checkpoints."),
        new(9002, LogLevel.Debug, "A checkpoint request was accepted (its id is the gate)."),
        new(9003, LogLevel.Information, "A checkpoint request was stale (the service held a larger id); the counter continues from it."),
        new(9004, LogLevel.Debug, "A checkpoint request not yet acknowledged by the stream is posted again."),
        new(9005, LogLevel.Warning, "Posting it again failed (code, reason); retried after the next delay. No stack trace."),
        new(9101, LogLevel.Warning, "A WAL checkpoint of the local database failed; retried by the next one."),
        new(9102, LogLevel.Warning, "The sync stream failed (code, reason); reconnecting after the backoff delay (delay, attempt): one line per attempt."),
        new(9103, LogLevel.Warning, "Uploading local changes failed (the connector's error, or a code); retried after the backoff delay (delay, attempt)."),
        new(9104, LogLevel.Debug, "The exception behind a 9005, 9102 or 9103 failure, with its stack trace: once, until the failure changes."),
        new(9105, LogLevel.Warning, "A handler of the database's StatusChanged or SchemaChanged event threw (with its exception); the next events are raised as usual."),
        new(9106, LogLevel.Warning, "The service sends rows of a table the schema has no synced table for: they are kept aside (ps_untyped) until it does. Once per table."),
        new(9107, LogLevel.Warning, "A stream subscription has an error: the service could not resolve it, or has no such stream (the error is also on SyncStatus). Once per distinct error."),
    ];
}
