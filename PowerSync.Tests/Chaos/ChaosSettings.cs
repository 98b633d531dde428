using System.Globalization;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// What a chaos run does, from environment variables (<c>dotnet cake --target=Chaos --chaos-seeds=5
/// --chaos-seconds=60</c> sets them): <c>POWERSYNC_CHAOS_SEEDS</c> (a count, seeds 1..n, or a list such as
/// <c>3,17</c>), <c>POWERSYNC_CHAOS_SECONDS</c> (writes and faults per seed), <c>POWERSYNC_CHAOS_CLIENTS</c>
/// and <c>POWERSYNC_CHAOS_ARTIFACTS</c> (where the table and each seed's journal go).
/// </summary>
internal sealed record ChaosSettings(IReadOnlyList<int> Seeds, int Seconds, int Clients, string ArtifactsFolder)
{
    /// <summary>Every client must equal Postgres (through the sync rules) this soon after a fault heals.</summary>
    public static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(30);

    public static ChaosSettings FromEnvironment()
    {
        var seeds = Environment.GetEnvironmentVariable("POWERSYNC_CHAOS_SEEDS") is { Length: > 0 } s ? s : "5";
        var list = seeds.Contains(',', StringComparison.Ordinal)
            ? seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToList()
            : Enumerable.Range(1, int.Parse(seeds, CultureInfo.InvariantCulture)).ToList();
        return new ChaosSettings(
            list,
            Number("POWERSYNC_CHAOS_SECONDS", 60),
            Number("POWERSYNC_CHAOS_CLIENTS", 4),
            Environment.GetEnvironmentVariable("POWERSYNC_CHAOS_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(RepositoryRoot(), "artifacts", "chaos"));
    }

    /// <summary>The folder holding PowerSync.sln, above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PowerSync.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"PowerSync.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>samples/TodoBackend's own build output (same configuration and framework as the tests), else the copy beside the tests.</summary>
    public static string BackendDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var own = Path.Combine(RepositoryRoot(), "samples", "TodoBackend", "bin", output.Parent!.Name, output.Name, "TodoBackend.dll");
        return File.Exists(own) ? own : Path.Combine(AppContext.BaseDirectory, "TodoBackend.dll");
    }

    private static int Number(string variable, int fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
