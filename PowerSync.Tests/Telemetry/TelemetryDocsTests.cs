using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Tests.Docs;

namespace PowerSync.Tests.Telemetry;

/// <summary>The metrics and tracing sections of the docs name exactly the instruments, activities and tags the code has.</summary>
public sealed partial class TelemetryDocsTests
{
    private static string Section(string docFile, string heading)
    {
        var text = File.ReadAllText(Path.Combine(DocSnippetTests.RepositoryRoot(), "docs", docFile)).ReplaceLineEndings("\n");
        var start = text.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"{docFile} has a '## {heading}' section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return text[start..(end < 0 ? text.Length : end)];
    }

    /// <summary>The table rows of a section whose first cell is a code span, as their cells (without the code marks).</summary>
    private static List<string[]> Rows(string section) =>
        [.. section.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Trim('|').Split('|').Select(cell => cell.Trim().Trim('`')).ToArray())];

    private static string Instrument(string? meter, string name, string? unit) => $"{meter} {name} [{unit}]";

    [Test]
    public void The_operations_guide_lists_every_instrument_of_the_service_with_its_meter_and_unit()
    {
        using var recorder = new MetricRecorder();
        using (new SyncMetrics(recorder.Factory))
        using (new ReplicationMetrics(recorder.Factory, () => null, () => 0))
        {
            var inCode = recorder.Instruments.Values.Select(i => Instrument(i.Meter.Name, i.Name, i.Unit)).Order(StringComparer.Ordinal);
            var inDocs = Rows(Section("operations.md", "Metrics")).Select(r => Instrument(r[0], r[1], r[3].Trim('`'))).Order(StringComparer.Ordinal);
            Assert.That(inDocs, Is.EqualTo(inCode));
        }
    }

    [Test]
    public void The_client_guide_lists_every_instrument_of_the_client_with_its_unit()
    {
        using var recorder = new MetricRecorder();
        _ = PowerSync.Client.Sync.ClientMetrics.For(recorder.Factory);
        var inCode = recorder.Instruments.Values.Select(i => Instrument(PowerSyncClientTelemetry.MeterName, i.Name, i.Unit)).Order(StringComparer.Ordinal);
        var inDocs = Rows(Section("client.md", "Metrics")).Select(r => Instrument(PowerSyncClientTelemetry.MeterName, r[0], r[2].Trim('`'))).Order(StringComparer.Ordinal);
        Assert.That(inDocs, Is.EqualTo(inCode));
    }

    [Test]
    public void The_operations_guide_lists_every_activity_and_tag_and_names_no_other()
    {
        string[] activities = [CommitTelemetry.BatchActivity, CommitTelemetry.CommitActivity, SyncSessionTrace.SessionActivity, SyncSessionTrace.CheckpointActivity];
        var tags = typeof(TelemetryTags).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        var section = Section("operations.md", "Tracing");

        Assert.That(Rows(section).Select(r => r[0]), Is.EqualTo(activities), "one row per activity, in the order of the data flow");
        var named = CodeSpans().Matches(section).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.That(tags.Where(t => !named.Contains(t)), Is.Empty, "every tag is documented");
        Assert.That(named.Where(n => n.StartsWith("powersync.", StringComparison.Ordinal) && !tags.Contains(n) && !activities.Contains(n)), Is.Empty,
            "every name the section gives is a tag or an activity of the code");
        Assert.That(section, Does.Contain($"`{PowerSyncTelemetry.ActivitySourceName}`"));
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpans();
}
