using System.Text.Json;
using NUnit.Framework;

namespace PowerSync.Tests.SyncRules.Geometry;

/// <summary>
/// <c>st_asgeojson</c>, <c>st_astext</c>, <c>st_x</c>, <c>st_y</c> against the official evaluator (wkx) over the (E)WKB corpus
/// of <c>corpus.mjs</c> (<c>geometry.ndjson</c>): every geometry type, dimensions, SRIDs, byte orders, empties, nested
/// collections and malformed input, each as a literal argument and from a row (blob or text column).
/// </summary>
[TestFixture]
public sealed class GeometryTests
{
    private static IEnumerable<JsonElement> Lines() => OfficialFixtures.ReadOracle("Geometry", "geometry.ndjson");

    public static IEnumerable<TestCaseData> Literals() =>
        Lines().Where(l => l.TryGetProperty("expr", out _)).Select(l =>
        {
            var expression = l.GetProperty("expr").GetString()!;
            return new TestCaseData(expression, l.GetProperty("expected").GetString())
                .SetArgDisplayNames(expression[..expression.IndexOf('(', StringComparison.Ordinal)], l.GetProperty("case").GetString()!);
        });

    public static IEnumerable<TestCaseData> Rows() =>
        Lines().Where(l => l.TryGetProperty("name", out _)).Select(l =>
            new TestCaseData(l.GetRawText()).SetArgDisplayNames(l.GetProperty("name").GetString()!));

    [TestCaseSource(nameof(Literals))]
    public void Geometry_literal_evaluates_as_in_the_official_evaluator(string expression, string expected) =>
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo(expected), expression);

    [TestCaseSource(nameof(Rows))]
    public void Geometry_column_evaluates_as_in_the_official_evaluator(string scenario) => ScenarioRunner.Run(scenario);
}
