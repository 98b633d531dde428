using BenchmarkDotNet.Running;
using PowerSync.Benchmarks.Scenarios;

namespace PowerSync.Benchmarks;

/// <summary>
/// Two modes: <c>scenario &lt;name&gt; [--rows N] [--clients N] [--json FILE]</c> runs an end-to-end
/// scenario; anything else goes to BenchmarkDotNet's switcher (micro-benchmarks).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "fanout-clients")
            return await FanoutClients.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "host")
            return await ScaleOutHost.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "scenario")
            return await ScenarioCommand.RunAsync(args[1..], Console.Out, Console.Error);

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
