using System.Text.Json;
using PowerSync.Tool;

namespace PowerSync.Tests.Tool;

/// <summary>One run of the <c>powersync</c> tool in this process, through its entry point, with what it wrote.</summary>
internal sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<ToolRun> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await PowerSyncTool.RunAsync(args, stdout, stderr, timeout.Token);
        return new ToolRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The lines of stdout, without line ends.</summary>
    public IReadOnlyList<string> Lines => Stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();

    /// <summary>Stdout parsed as the one JSON document it must be.</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
