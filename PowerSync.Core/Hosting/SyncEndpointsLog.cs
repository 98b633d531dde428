using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Hosting;

internal static partial class SyncEndpointsLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Sync request refused with {Code} (HTTP {Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string code, int status, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Sync stream for user {UserId} ended with {Code}: {Reason}")]
    public static partial void StreamFailed(ILogger logger, string userId, string code, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "A sync stream failed unexpectedly")]
    public static partial void StreamCrashed(ILogger logger, Exception exception);
}
