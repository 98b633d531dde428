using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Hosting;

internal static partial class SourceValidationLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The sync rules do not match the source database: {Location}[{Code}] {Description}")]
    public static partial void Problem(ILogger logger, string location, string code, string description);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "The sync rules could not be checked against the source database; replication retries the source by itself: {Reason}")]
    public static partial void Skipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "The sync rules match the source database ({Tables} table reference(s) checked)")]
    public static partial void Matched(ILogger logger, int tables);
}
