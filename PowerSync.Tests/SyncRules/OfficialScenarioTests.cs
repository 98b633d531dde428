using NUnit.Framework;
using System.Text.Json;

namespace PowerSync.Tests.SyncRules;

/// <summary>Bucket ids, data JSON, fan-out, parameter queries and rejections compared with the official evaluator.</summary>
[TestFixture]
public sealed class OfficialScenarioTests
{
    private static IEnumerable<TestCaseData> All() =>
        OfficialScenariosA.Cases.Concat(OfficialScenariosB.Cases).Concat(OfficialScenariosC.Cases).Concat(OfficialScenariosD.Cases).Concat(OfficialScenariosE.Cases).Select(json => new TestCaseData(json).SetName("Scenario: " + JsonDocument.Parse(json).RootElement.GetProperty("name").GetString()));

    [TestCaseSource(nameof(All))]
    public void Scenario_matches_the_official_evaluator(string json) => ScenarioRunner.Run(json);
}
