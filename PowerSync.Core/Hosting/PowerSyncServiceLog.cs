using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Hosting;

internal static partial class PowerSyncServiceLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Sync rules version {Version} is {State}; replicating with slot {Slot}")]
    public static partial void Replicating(ILogger logger, long version, PowerSync.Core.Storage.SyncRulesState state, string slot);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Replication of sync rules version {Version} failed; retrying in {Delay}")]
    public static partial void ReplicationFailed(ILogger logger, Exception exception, long version, TimeSpan delay);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Replication of sync rules version {Version} stopped: {Reason}")]
    public static partial void ReplicationStopped(ILogger logger, long version, string reason);
}
