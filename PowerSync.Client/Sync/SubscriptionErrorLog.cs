using Microsoft.Extensions.Logging;

namespace PowerSync.Client.Sync;

/// <summary>
/// Logs the errors of stream subscriptions (a subscription the service could not resolve, a stream it does not have),
/// which are otherwise only on <see cref="Status.SyncStatus"/>: each distinct error once per database, as a warning, however
/// many checkpoints repeat it.
/// </summary>
internal sealed partial class SubscriptionErrorLog(ILogger logger)
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>Logs the errors among <paramref name="states"/> not logged before.</summary>
    public void Report(IEnumerable<StreamState> states)
    {
        foreach (var state in states)
        {
            if (state.Error is not { } error) continue;
            lock (_reported)
            {
                if (!_reported.Add(error.Message)) continue;
            }

            SubscriptionFailed(logger, state.Name, error.Code, error.Message);
        }
    }

    [LoggerMessage(EventId = 9107, Level = LogLevel.Warning, Message = "Stream subscription to '{Stream}' failed ({Code}): {Reason}")]
    private static partial void SubscriptionFailed(ILogger logger, string stream, string code, string reason);
}
