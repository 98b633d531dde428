using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace PowerSync.Client;

/// <summary>
/// Raises a database's events on a background task of its own, one at a time and in the order they were posted, so
/// that a slow or throwing handler never holds up syncing; a handler's exception is logged and the next event raised.
/// </summary>
internal sealed partial class EventDispatcher : IAsyncDisposable
{
    private readonly Channel<(string Name, Action Raise)> _events = Channel.CreateUnbounded<(string, Action)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Queues <paramref name="raise"/> (an event's invocation); never blocks, so it may be called under a lock.</summary>
    public void Post(string name, Action raise) => _events.Writer.TryWrite((name, raise));

    private async Task RunAsync()
    {
        await foreach (var (name, raise) in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                raise();
            }
#pragma warning disable CA1031 // an app's handler may throw anything; it must not stop the next events
            catch (Exception e)
#pragma warning restore CA1031
            {
                HandlerFailed(_logger, e, name);
            }
        }
    }

    /// <summary>Raises what was posted before, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 9105, Level = LogLevel.Warning, Message = "A handler of the database's {Event} event threw; the next events are raised as usual")]
    private static partial void HandlerFailed(ILogger logger, Exception exception, string @event);
}
