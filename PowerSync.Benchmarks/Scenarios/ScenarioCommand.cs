namespace PowerSync.Benchmarks.Scenarios;

/// <summary>The <c>scenario</c> mode: picks a scenario by name, runs it, prints and optionally saves its figures.</summary>
public static class ScenarioCommand
{
    /// <summary>Every scenario, by name.</summary>
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new PgOutputCeilingScenario(),
        new ReplicationScenario(),
        new DownloadScenario(),
        new FanoutScenario(),
        new ClientInitialSyncScenario(),
        new OfficialClientScenario(),
        new StorageAppendScenario(),
        new LiteDbAppendScenario(),
        new ScaleOutScenario(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        ScenarioOptions options;
        try
        {
            options = ScenarioOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await errors.WriteLineAsync(e.Message);
            await errors.WriteLineAsync(ListScenarios());
            return 2;
        }

        var scenario = All.FirstOrDefault(s => s.Name == options.Name);
        if (scenario is null)
        {
            await errors.WriteLineAsync($"No scenario named '{options.Name}'.");
            await errors.WriteLineAsync(ListScenarios());
            return 2;
        }

        if (options.Storage is not null && !scenario.TakesStorage)
        {
            await errors.WriteLineAsync($"Scenario '{scenario.Name}' has a store of its own: --storage applies to {string.Join(", ", All.Where(s => s.TakesStorage).Select(s => s.Name))}.");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var report = new ScenarioReport();
        await scenario.RunAsync(options, report, cancel.Token);

        await output.WriteLineAsync(report.ToTable($"Scenario {scenario.Name}: {scenario.Description}"));
        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, report.ToJson(), cancel.Token);
            await output.WriteLineAsync($"Figures written to {options.JsonPath}");
        }
        return 0;
    }

    private static string ListScenarios() =>
        "Scenarios:" + Environment.NewLine +
        string.Join(Environment.NewLine, All.Select(s => $"  {s.Name,-18} {s.Description}"));
}
