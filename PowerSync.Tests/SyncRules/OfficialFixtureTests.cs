using NUnit.Framework;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Every generated fixture (SyncRules/Fixtures/*.ndjson) against the official evaluator's results: expressions
/// (operator and function matrices, random expressions, JSON paths, function arguments, parser forms, big
/// integers) and scenarios (bucket ids, data bytes, parameter lookups, requests, rejections).
/// </summary>
[TestFixture]
public sealed class OfficialFixtureTests
{
    [Test]
    public void Every_fixture_line_is_an_expression_or_a_scenario_with_its_expected_result()
    {
        var files = OfficialFixtures.Files().ToList();
        Assert.That(files, Is.Not.Empty, OfficialFixtures.Folder);
        foreach (var file in files)
        {
            foreach (var (line, json) in OfficialFixtures.Read(file))
            {
                var expression = json.StartsWith("{\"expr\"", StringComparison.Ordinal);
                var scenario = json.StartsWith("{\"name\"", StringComparison.Ordinal);
                Assert.That(expression || scenario, Is.True, $"{file}:{line} is neither an expression nor a scenario");
                Assert.That(json, expression ? Does.Contain("\"expected\":") : Does.Contain("\"errors\":").Or.Contain("\"rowResults\":"),
                    $"{file}:{line} has no expected result: run the SyncRulesFixtures target");
            }
        }
    }

    [TestCaseSource(typeof(OfficialFixtures), nameof(OfficialFixtures.Expressions))]
    public void Expression_matches_the_official_evaluator(string expression, int edition, string? expected) =>
        Assert.That(ExpressionHarness.Evaluate(expression, edition), Is.EqualTo(expected), expression);

    [TestCaseSource(typeof(OfficialFixtures), nameof(OfficialFixtures.Scenarios))]
    public void Scenario_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);
}
