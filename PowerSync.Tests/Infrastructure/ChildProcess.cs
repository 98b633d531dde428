using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// A program the test starts (a <c>dotnet</c> command, a built app): its output collected line by line,
/// waited on for a line or for its exit with a timeout, and killed with its children on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly Task _reading;

    private ChildProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    /// <summary>The host that runs .NET commands and apps (the one running the tests).</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>Starts <paramref name="program"/> in <paramref name="workingDirectory"/>, with <paramref name="environment"/> added to the test's own.</summary>
    public static ChildProcess Start(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}."));
    }

    /// <summary>Everything it wrote so far, stdout and stderr interleaved as read.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The first line (past or future) matching <paramref name="pattern"/>; fails with the output when it exits first or <paramref name="timeout"/> passes.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken ct)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split('\n'))
            {
                if (pattern.Match(line.TrimEnd('\r')) is { Success: true } seen) return seen;
            }
            _waiters.Add((pattern, found));
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var deadline = Task.Delay(timeout, limit.Token);
        // Its output ends when it exits.
        var first = await Task.WhenAny(found.Task, _reading, deadline);
        await limit.CancelAsync();
        ct.ThrowIfCancellationRequested();
        if (found.Task.IsCompleted) return await found.Task;
        throw new TimeoutException(first == _reading
            ? $"The process exited without writing a line matching '{pattern}'. Its output:\n{Output}"
            : $"No line matching '{pattern}' within {timeout.TotalSeconds:0} s. The output so far:\n{Output}");
    }

    /// <summary>Waits for the exit and the end of its output; returns the exit code. Fails with the output after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            await _reading.WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The process did not exit within {timeout.TotalSeconds:0} s. Its output so far:\n{Output}");
        }
        return _process.ExitCode;
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Pattern.Match(line) is not { Success: true } match) continue;
                    _waiters[i].Found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Kills the process and its children if still running, and waits until they are gone.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
    }
}
