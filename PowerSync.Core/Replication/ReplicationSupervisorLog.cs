using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Replication;

internal static partial class ReplicationSupervisorLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Sync rules version {Version} is {State}; replicating with slot {Slot}")]
    public static partial void Replicating(ILogger logger, long version, PowerSync.Core.Storage.SyncRulesState state, string slot);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Replication of sync rules version {Version} failed unexpectedly ({Code}); retrying in {Delay} (attempt {Attempt})")]
    public static partial void ReplicationFailedUnexpectedly(ILogger logger, Exception exception, long version, string code, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Replication of sync rules version {Version} stopped: {Reason}")]
    public static partial void ReplicationStopped(ILogger logger, long version, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The replication slot {Slot} of sync rules version {Version} was lost ({Reason}); re-snapshotting as version {Replacement} while version {Version} keeps serving")]
    public static partial void SlotLost(ILogger logger, string slot, long version, long replacement, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Dropped replication slot {Slot} of retired sync rules version {Version}")]
    public static partial void SlotDropped(ILogger logger, string slot, long version);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Could not drop replication slot {Slot} of retired sync rules version {Version} yet ({Code}: {Reason}); retrying in {Delay}")]
    public static partial void SlotDropDeferred(ILogger logger, string slot, long version, string code, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Replication of sync rules version {Version} cannot go on ({Code}: {Reason}); retrying in {Delay} (attempt {Attempt})")]
    public static partial void ReplicationInterrupted(ILogger logger, long version, string code, string reason, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "The failure behind {Code}, logged once until it changes")]
    public static partial void FailureDetail(ILogger logger, Exception exception, string code);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Clients are served from sync rules version {Version} now (checkpoint {Checkpoint})")]
    public static partial void Serving(ILogger logger, long version, long checkpoint);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Standing by for sync rules version {Version}: {Reason}")]
    public static partial void StandingBy(ILogger logger, long version, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Ended the replication connection (pid {Pid}) a former writer left on slot {Slot}, to take over sync rules version {Version}")]
    public static partial void SlotTakenOver(ILogger logger, int pid, string slot, long version);
}
