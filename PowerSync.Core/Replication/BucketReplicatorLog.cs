using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Replication;

internal static partial class BucketReplicatorLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Created replication slot {Slot} at {Lsn}")]
    public static partial void SlotCreated(ILogger logger, string slot, Lsn lsn);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Snapshot of {Table}: {Rows} rows")]
    public static partial void TableSnapshotted(ILogger logger, string table, long rows);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Initial snapshot done; checkpoints start once streaming passes {Lsn}")]
    public static partial void SnapshotDone(ILogger logger, Lsn lsn);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Replication connection lost ({Code}: {Reason}); reconnecting in {Delay} (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, string code, string reason, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Sync rules could not evaluate a row of {Table}: {Error}")]
    public static partial void RowError(ILogger logger, string table, string error);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Source check: {Warning}")]
    public static partial void SourceWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Table {Table} was {Change} (now {Current}): its stored rows leave the buckets")]
    public static partial void TableReplaced(ILogger logger, string table, string change, string current);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Replication from slot {Slot} works again")]
    public static partial void StreamingAgain(ILogger logger, string slot);
}
