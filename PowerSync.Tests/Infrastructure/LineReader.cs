using System.Text;

namespace PowerSync.Tests.Infrastructure;

/// <summary>Reads NDJSON lines from a response, each with a timeout.</summary>
internal sealed class LineReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<string?> NextAsync(int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return await _reader.ReadLineAsync(timeout.Token);
    }

    public void Dispose() => _reader.Dispose();
}
