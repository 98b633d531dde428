using Microsoft.Extensions.Logging;

namespace PowerSync.Tests.Infrastructure;

/// <summary>Keeps every log entry (level, event id, message) for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    /// <summary>The exceptions logged with an entry (a stack trace in a real log), with the entry's level and event id.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, Exception Exception)> Exceptions { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is not null) Exceptions.Enqueue((logLevel, eventId.Id, exception));
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}

/// <summary>Hands the same <see cref="ListLogger"/> to every category, e.g. to see all a web host logs.</summary>
internal sealed class ListLoggerProvider(ListLogger logger) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void Dispose()
    {
    }
}

/// <summary>A logger factory handing every category the same <see cref="ListLogger"/>.</summary>
internal sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
