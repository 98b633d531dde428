using Microsoft.Extensions.Logging;

namespace PowerSync.Tests.Client;

/// <summary>Keeps every log entry (level, event id, message) for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
}
