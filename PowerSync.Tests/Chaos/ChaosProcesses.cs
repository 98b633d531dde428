using System.Diagnostics;
using System.Globalization;

namespace PowerSync.Tests.Chaos;

/// <summary>Where a run writes what happened: one timeline of every process's lines, and a change signal for waiters.</summary>
internal sealed class ChaosJournal(string path) : IDisposable
{
    private readonly StreamWriter _file = new(path, append: false) { AutoFlush = true };
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly object _gate = new();

    public ChaosChecker Checker { get; } = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Records an observation line of <paramref name="source"/> (checked) and wakes waiters.</summary>
    public void Observe(string source, string line)
    {
        Checker.Record(source, line);
        Note(source, line);
        _changed.Release();
    }

    /// <summary>Writes a line to the timeline only.</summary>
    public void Note(string source, string line)
    {
        lock (_gate) _file.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,9:0.000} {source,-8} {line}"));
    }

    /// <summary>Waits until something is observed, or <paramref name="timeout"/> passes.</summary>
    public Task ChangedAsync(TimeSpan timeout, CancellationToken ct) => _changed.WaitAsync(timeout, ct);

    public void Dispose()
    {
        _file.Dispose();
        _changed.Dispose();
    }
}

/// <summary>A child process of the run: started from a command line, its output read line by line, killed with SIGKILL.</summary>
internal abstract class ChaosProcess : IAsyncDisposable
{
    private Process? _process;
    private Task _reading = Task.CompletedTask;

    public int? Id => _process is { HasExited: false } p ? p.Id : null;

    protected void Start(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        _process?.Dispose();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput, false), ReadAsync(process.StandardError, true));
    }

    /// <summary>One line of the process's stdout or stderr.</summary>
    protected abstract void OnLine(string line, bool stderr);

    protected async Task SendAsync(string line)
    {
        if (_process is not { HasExited: false } process) return;
        try
        {
            await process.StandardInput.WriteLineAsync(line);
            await process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
            // It exited in between.
        }
    }

    /// <summary>Completes when the process has exited and its output is read.</summary>
    public async Task ExitedAsync()
    {
        if (_process is null) return;
        await _process.WaitForExitAsync();
        await _reading;
    }

    /// <summary>kill -9, and wait for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        await ExitedAsync();
    }

    /// <summary>Sends SIGSTOP or SIGCONT (<paramref name="signal"/>: STOP, CONT).</summary>
    public async Task SignalAsync(string signal)
    {
        if (Id is not { } pid) return;
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    private async Task ReadAsync(StreamReader reader, bool stderr)
    {
        while (await reader.ReadLineAsync() is { } line) OnLine(line, stderr);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) await SignalAsync("CONT"); // a stopped process does not die of SIGKILL until continued on some kernels
        await KillAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>The host that runs .NET apps (the one running the tests).</summary>
    protected static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
}

/// <summary>samples/TodoBackend as its own process (<c>dotnet TodoBackend.dll</c>, Development environment) on a fixed port.</summary>
internal sealed class BackendProcess(string dll, int port, IReadOnlyDictionary<string, string> settings, ChaosJournal journal, string source = "backend")
    : ChaosProcess
{
    private readonly List<string> _lines = [];
    private TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Its name in the journal.</summary>
    public string Source => source;

    /// <summary>Lines it wrote so far (every start).</summary>
    public int LineCount
    {
        get
        {
            lock (_lines) return _lines.Count;
        }
    }

    /// <summary>Whether a line it wrote (from line <paramref name="since"/> on) contains <paramref name="fragment"/>.</summary>
    public bool HasLogged(string fragment, int since = 0)
    {
        lock (_lines) return _lines.Skip(since).Any(line => line.Contains(fragment, StringComparison.Ordinal));
    }

    public Uri Address => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");

    public int Port => port;

    /// <summary>Starts the backend and waits until it listens (false: not within <paramref name="timeout"/>, or it exited).</summary>
    public async Task<bool> StartAsync(TimeSpan timeout)
    {
        _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(DotnetHost) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        Start(start);
        var exited = ExitedAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout));
        return done == _listening.Task;
    }

    protected override void OnLine(string line, bool stderr)
    {
        journal.Note(source, line);
        lock (_lines) _lines.Add(line);
        if (line.Contains("Now listening on:", StringComparison.Ordinal)) _listening.TrySetResult();
    }
}

/// <summary>A <c>chaos-client</c> child process (<see cref="ChaosClient"/>): its lines go to the journal.</summary>
internal sealed class ClientProcess(int index, ChaosJournal journal) : ChaosProcess
{
    private TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Source { get; } = "c" + index.ToString(CultureInfo.InvariantCulture);

    public int Index => index;

    /// <summary>Restarts so far (the database file stays).</summary>
    public int Incarnation { get; private set; } = -1;

    /// <summary>The upload queue's length the client reported last (-1: not yet).</summary>
    public long Pending { get; private set; } = -1;

    public void Start(string databasePath, Uri backend, string user, int seed)
    {
        Incarnation++;
        Pending = -1;
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(DotnetHost);
        foreach (var arg in (string[])["exec", typeof(ChaosClient).Assembly.Location, "chaos-client", databasePath, backend.ToString(), user,
            index.ToString(CultureInfo.InvariantCulture), Incarnation.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_gcServer"] = "0";
        Start(start);
        journal.Note(Source, $"started (incarnation {Incarnation})");
    }

    /// <summary>Waits until the client opened its database and connected (false: not within <paramref name="timeout"/>).</summary>
    public async Task<bool> OpenAsync(TimeSpan timeout) => await Task.WhenAny(_open.Task, Task.Delay(timeout)) == _open.Task;

    public Task ResumeAsync() => SendAsync("resume");

    /// <summary>Stops its writes; true once it answered that none is in flight.</summary>
    public async Task<bool> PauseAsync(TimeSpan timeout)
    {
        _paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync("pause");
        return await Task.WhenAny(_paused.Task, Task.Delay(timeout)) == _paused.Task;
    }

    protected override void OnLine(string line, bool stderr)
    {
        if (stderr || !line.EndsWith(" " + ChaosClient.EndOfLine, StringComparison.Ordinal))
        {
            journal.Note(Source, (stderr ? "stderr: " : "cut: ") + line);
            return;
        }
        line = line[..^(ChaosClient.EndOfLine.Length + 1)];
        if (line.StartsWith("PENDING ", StringComparison.Ordinal)) Pending = long.Parse(line.AsSpan(8), CultureInfo.InvariantCulture);
        else if (line == "PAUSED") _paused.TrySetResult();
        else if (line == "OPEN") _open.TrySetResult();
        journal.Observe(Source, line);
    }
}
