using Microsoft.Extensions.Logging;

namespace PowerSync.Client.Sync;

/// <summary>
/// What a sync session logs when a stream or an upload fails: one Warning line per attempt, saying it is
/// retried, and the exception behind it once at Debug until the failure changes.
/// </summary>
internal static partial class SyncSessionLog
{
    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "The sync stream failed ({Code}: {Reason}); reconnecting in {Delay} (attempt {Attempt})")]
    public static partial void StreamFailed(ILogger logger, string code, string reason, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Uploading local changes failed ({Code}: {Reason}); retrying in {Delay} (attempt {Attempt})")]
    public static partial void UploadFailed(ILogger logger, string code, string reason, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Debug, Message = "The failure behind {Code}, logged once until it changes")]
    public static partial void FailureDetail(ILogger logger, Exception exception, string code);

    /// <summary>
    /// A client error's code; a network failure of the sync stream is <see cref="ClientErrorCodes.SyncHttpError"/>;
    /// anything else (e.g. the connector's own exception during an upload) goes by its type name.
    /// </summary>
    public static string CodeOf(Exception exception, bool syncService = false) => exception switch
    {
        PowerSyncClientException coded => coded.Code,
        HttpRequestException or IOException when syncService => ClientErrorCodes.SyncHttpError,
        _ => exception.GetType().Name,
    };
}

/// <summary>Whether a failure is the same as the one before it (same code and message), so its detail is not logged again.</summary>
internal sealed class FailureStreak
{
    private string? _last;

    /// <summary>Records <paramref name="exception"/>; true when it differs from the failure before.</summary>
    public bool IsNew(string code, Exception exception)
    {
        var failure = code + "\n" + exception.Message;
        var isNew = failure != _last;
        _last = failure;
        return isNew;
    }

    /// <summary>The operation succeeded: the next failure is new.</summary>
    public void Reset() => _last = null;
}
