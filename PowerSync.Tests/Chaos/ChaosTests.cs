using NUnit.Framework;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// The fault-injection suite: <c>dotnet cake --target=Chaos --chaos-seeds=5 --chaos-seconds=60</c> (see
/// <see cref="ChaosSettings"/>). Minutes per seed, real processes: never in the default test run.
/// </summary>
[TestFixture]
[Explicit("Minutes of injected faults per seed: dotnet cake --target=Chaos")]
[Category("Chaos")]
[NonParallelizable]
public sealed class ChaosTests
{
    private static readonly ChaosSettings Settings = ChaosSettings.FromEnvironment();
    private readonly List<SeedResult> _results = [];

    public static IEnumerable<int> Seeds() => Settings.Seeds;

    [TestCaseSource(nameof(Seeds))]
    public async Task No_acknowledged_write_is_lost_and_every_client_converges_after_each_fault(int seed)
    {
        var result = await ChaosRun.RunAsync(seed, Settings);
        lock (_results) _results.Add(result);
        await TestContext.Progress.WriteLineAsync(ChaosReport.Table([result], Settings));
        Assert.That(result.Passed, Is.True, result.Problems());
    }

    [OneTimeTearDown]
    public async Task WriteTheTable()
    {
        if (_results.Count == 0) return;
        var table = ChaosReport.Table(_results, Settings);
        var path = ChaosReport.Write(table, Settings.ArtifactsFolder);
        await TestContext.Progress.WriteLineAsync(table);
        await TestContext.Progress.WriteLineAsync("Written to " + path);
    }
}
