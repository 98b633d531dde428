using NUnit.Framework;
using System.Text.Json;

namespace PowerSync.Tests.SyncRules;

/// <summary>Bucket ids, data JSON, fan-out, parameter queries and rejections compared with the official evaluator.</summary>
[TestFixture]
public sealed class OfficialScenarioTests
{
    private static IEnumerable<TestCaseData> All() =>
        OfficialScenariosA.Cases.Concat(OfficialScenariosB.Cases).Concat(OfficialScenariosC.Cases).Concat(OfficialScenariosD.Cases).Concat(OfficialScenariosE.Cases).Select(json => new TestCaseData(json).SetName("Scenario: " + JsonDocument.Parse(json).RootElement.GetProperty("name").GetString()));

    private static IEnumerable<TestCaseData> RandomDataQueries() =>
        OfficialRandomDataQueriesA.Cases.Concat(OfficialRandomDataQueriesB.Cases)
            .Select((json, i) => new TestCaseData(json).SetName($"Random data query {i}"));

    private static IEnumerable<TestCaseData> RandomParameterQueries() =>
        OfficialRandomParameterQueriesA.Cases.Concat(OfficialRandomParameterQueriesB.Cases).Select((json, i) => new TestCaseData(json).SetName($"Random parameter query {i}"));

    // Randomly generated static, lookup and json_each parameter queries, parameter rows and JWTs.
    [TestCaseSource(nameof(RandomParameterQueries))]
    public void Random_parameter_query_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);

    private static IEnumerable<TestCaseData> RandomStreams() =>
        OfficialRandomStreams.Cases.Select((json, i) => new TestCaseData(json).SetName($"Random stream {i}"));

    // Randomly generated edition-2 streams (subqueries, OR variants, subscriptions, defaults) with rows and requests.
    [TestCaseSource(nameof(RandomStreams))]
    public void Random_stream_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);

    [TestCaseSource(nameof(All))]
    public void Scenario_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);

    // Randomly generated definitions (parameter coverage, IN fan-out, row filters, OR of branches)
    // and rows; rejections must match too.
    [TestCaseSource(nameof(RandomDataQueries))]
    public void Random_data_query_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);
}
