using System.Globalization;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>Command-line options of a scenario run.</summary>
/// <param name="Name">Scenario name.</param>
/// <param name="Rows">Rows to work with (scenario default when null).</param>
/// <param name="Clients">Concurrent clients (scenario default when null).</param>
/// <param name="JsonPath">Where to write the figures as one flat JSON object, if anywhere.</param>
/// <param name="Stored">Rows already in the store before the timed part (scenarios that use it say so).</param>
/// <param name="Runs">How many times the measured part is repeated (scenarios that use it say so; figures are medians).</param>
/// <param name="Storage">The bucket store (<c>sqlite</c>, <c>litedb</c> or <c>postgres</c>) for scenarios that take one; null: theirs by default (SQLite).</param>
public sealed record ScenarioOptions(string Name, int? Rows, int? Clients, string? JsonPath, int? Stored = null, int? Runs = null, string? Storage = null)
{
    public const string Usage = "scenario <name> [--rows N] [--clients N] [--stored N] [--runs N] [--storage sqlite|litedb|postgres] [--json FILE]";

    /// <summary>Parses the arguments after <c>scenario</c>; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static ScenarioOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-'))
            throw new ArgumentException($"Name the scenario to run. Usage: {Usage}");

        int? rows = null, clients = null, stored = null, runs = null;
        string? json = null, storage = null;
        for (var i = 1; i < args.Count; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Count)
                throw new ArgumentException($"Option {flag} needs a value. Usage: {Usage}");
            var value = args[++i];
            switch (flag)
            {
                case "--rows": rows = PositiveInt(flag, value); break;
                case "--clients": clients = PositiveInt(flag, value); break;
                case "--stored": stored = PositiveInt(flag, value); break;
                case "--runs": runs = PositiveInt(flag, value); break;
                case "--json": json = value; break;
                case "--storage":
                    storage = BenchmarkStore.Engines.Contains(value)
                        ? value
                        : throw new ArgumentException($"Option --storage takes {string.Join(", ", BenchmarkStore.Engines)}, not '{value}'.");
                    break;
                default: throw new ArgumentException($"Unknown option '{flag}'. Usage: {Usage}");
            }
        }
        return new ScenarioOptions(args[0], rows, clients, json, stored, runs, storage);
    }

    private static int PositiveInt(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"Option {flag} takes a positive whole number, not '{value}'.");
}
