namespace PowerSync.Benchmarks.Scenarios;

/// <summary>An end-to-end measurement: sets up what it needs (private Postgres included), measures, reports figures.</summary>
public interface IScenario
{
    /// <summary>Name given on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured and against which ceiling or comparison.</summary>
    string Description { get; }

    /// <summary>Whether the scenario runs on the bucket store <c>--storage</c> names (otherwise the option is refused).</summary>
    bool TakesStorage => false;

    /// <summary>Runs the scenario, adding its figures to <paramref name="report"/>.</summary>
    Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct);
}
