using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace PowerSync.Tests.SyncRules.DateText;

/// <summary>
/// Date text in <c>unixepoch</c>/<c>datetime</c> against the official evaluator's <c>new Date(...)</c> (V8, TZ=UTC), over
/// the corpus of <c>corpus.mjs</c> (<c>date-text.ndjson</c>): ISO forms, Julian days, the forms only V8's legacy fallback
/// parser reads (RFC 2822, <c>toString()</c>, <c>M/D/YYYY</c>, month names, zone words and offsets, AM/PM, two-digit
/// years, loose text), generated variants of them and text V8 rejects. Every line agrees.
/// </summary>
[TestFixture]
public sealed class DateTextTests
{
    public static IEnumerable<TestCaseData> Lines() =>
        OfficialFixtures.ReadOracle("DateText", "date-text.ndjson").Select((l, i) =>
            new TestCaseData(l.GetProperty("text").GetString(), l.GetProperty("expr").GetString(), l.GetProperty("expected").GetString())
                .SetArgDisplayNames(l.GetProperty("form").GetString()!, $"{i + 1}: {Printable(l.GetProperty("text").GetString()!)}"));

    [TestCaseSource(nameof(Lines))]
    public void Date_text_reads_as_in_the_official_evaluator(string text, string expression, string expected) =>
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo(expected), text);

    /// <summary>The text as a test name: control and non-ASCII characters escaped, long text shortened.</summary>
    private static string Printable(string text)
    {
        var name = new StringBuilder();
        foreach (var c in text.Length > 60 ? text[..60] + "…" : text)
        {
            name.Append(c is >= ' ' and <= '~' or '…' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return name.ToString();
    }
}
