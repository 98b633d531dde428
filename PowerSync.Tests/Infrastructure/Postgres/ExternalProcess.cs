using System.Diagnostics;
using System.Text;

namespace PowerSync.Tests.Infrastructure.Postgres;

/// <summary>Runs a program to completion, optionally as another OS user, and reports its output on failure.</summary>
internal static class ExternalProcess
{
    /// <summary>True when this process runs as root, where Postgres refuses to run.</summary>
    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    public static async Task<string> RunAsync(
        string program, IReadOnlyList<string> args, string? asUser, string workingDirectory, CancellationToken ct)
    {
        var psi = BuildStartInfo(program, args, asUser, workingDirectory, redirect: true);
        using var process = new Process { StartInfo = psi };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            throw;
        }

        string text;
        lock (output) text = output.ToString();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{Describe(psi)}` exited with code {process.ExitCode}:{Environment.NewLine}{text}");
        }
        return text;
    }

    /// <summary>Synchronous variant for process-exit handlers, where nothing can be awaited.</summary>
    public static int RunBlocking(string program, IReadOnlyList<string> args, string? asUser, string workingDirectory, TimeSpan timeout)
    {
        var psi = BuildStartInfo(program, args, asUser, workingDirectory, redirect: false);
        using var process = Process.Start(psi)!;
        if (!process.WaitForExit(timeout))
        {
            TryKill(process);
            return -1;
        }
        return process.ExitCode;
    }

    private static ProcessStartInfo BuildStartInfo(string program, IReadOnlyList<string> args, string? asUser, string workingDirectory, bool redirect)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
            RedirectStandardInput = redirect,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (asUser is null)
        {
            psi.FileName = program;
        }
        else
        {
            // runuser (util-linux) switches user without a password when run as root.
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(asUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(program);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Keep the server's messages in English and its locale independent of the caller's.
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["LANG"] = "C";
        return psi;
    }

    private static string Describe(ProcessStartInfo psi) =>
        psi.FileName + " " + string.Join(' ', psi.ArgumentList);

    private static void TryKill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already exited */ }
    }
}
