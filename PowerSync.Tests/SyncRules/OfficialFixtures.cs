using NUnit.Framework;
using System.Text.Json;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Reads the fixture files in <c>SyncRules/Fixtures</c> (NDJSON, one case a line; format in its README.md):
/// expression cases and scenarios whose expected values the official evaluator produced
/// (<c>dotnet cake --target=SyncRulesFixtures</c> regenerates them; the test run needs no Node).
/// </summary>
internal static class OfficialFixtures
{
    public static readonly string Folder = Path.Combine(TestContext.CurrentContext.TestDirectory, "SyncRules", "Fixtures");

    /// <summary>The lines of an NDJSON oracle copied next to the tests (<c>SyncRules/&lt;folder&gt;/&lt;file&gt;</c>), parsed.</summary>
    public static IEnumerable<JsonElement> ReadOracle(string folder, string file) =>
        File.ReadLines(Path.Combine(TestContext.CurrentContext.TestDirectory, "SyncRules", folder, file))
            .Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone());

    /// <summary>Every fixture file, by name without the extension.</summary>
    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Folder, "*.ndjson").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    /// <summary>The cases of one file with their line numbers; a case without its expected part fails loudly.</summary>
    public static IEnumerable<(int Line, string Json)> Read(string file)
    {
        var number = 0;
        foreach (var line in File.ReadLines(Path.Combine(Folder, file + ".ndjson")))
        {
            number++;
            if (line.Length > 0)
            {
                yield return (number, line);
            }
        }
    }

    /// <summary>Expression cases (<c>expr</c>, <c>edition</c>, <c>expected</c>) of every file.</summary>
    public static IEnumerable<TestCaseData> Expressions()
    {
        foreach (var file in Files())
        {
            foreach (var (line, json) in Read(file))
            {
                if (!json.StartsWith("{\"expr\"", StringComparison.Ordinal))
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(json);
                var c = doc.RootElement;
                var expected = c.TryGetProperty("expected", out var e) ? e.GetString() : null;
                yield return new TestCaseData(c.GetProperty("expr").GetString(), c.GetProperty("edition").GetInt32(), expected)
                    .SetArgDisplayNames($"{file}:{line}");
            }
        }
    }

    /// <summary>Scenario cases (YAML, rows, parameter rows, requests and their results) of every file.</summary>
    public static IEnumerable<TestCaseData> Scenarios()
    {
        foreach (var file in Files())
        {
            foreach (var (line, json) in Read(file))
            {
                if (!json.StartsWith("{\"name\"", StringComparison.Ordinal))
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(json);
                yield return new TestCaseData(json).SetArgDisplayNames($"{file}:{line}: {doc.RootElement.GetProperty("name").GetString()}");
            }
        }
    }
}
