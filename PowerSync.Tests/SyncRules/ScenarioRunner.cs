using NUnit.Framework;
using System.Text.Json;
using PowerSync.Core;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.SyncRules;

/// <summary>Runs an oracle scenario through <see cref="SyncRulesSet"/> and renders results like the oracle script.</summary>
internal static class ScenarioRunner
{
    public static SqliteValue Decode(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => SqliteValue.Null,
        JsonValueKind.String => SqliteValue.FromText(v.GetString()),
        _ when v.TryGetProperty("i", out var i) => SqliteValue.FromInteger(long.Parse(i.GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
        _ when v.TryGetProperty("r", out var r) => SqliteValue.FromReal(double.Parse(r.GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
        _ => SqliteValue.FromBlob(Convert.FromHexString(v.GetProperty("b").GetString()!)),
    };

    public static Dictionary<string, SqliteValue> DecodeRow(JsonElement row)
    {
        var result = new Dictionary<string, SqliteValue>();
        foreach (var p in row.EnumerateObject())
        {
            result[p.Name] = Decode(p.Value);
        }

        return result;
    }

    public static void Run(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var c = doc.RootElement;
        var yaml = c.GetProperty("yaml").GetString()!;
        var options = new SyncRulesParseOptions
        {
            SyncRulesVersion = c.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null,
            VersionedBucketIds = c.TryGetProperty("version", out var v2) && v2.ValueKind == JsonValueKind.Number ? true : false,
        };
        if (c.TryGetProperty("errors", out _))
        {
            Assert.Throws<SyncRulesException>(() => SyncRulesSet.Parse(yaml, options), "the official evaluator rejects these rules");
            return;
        }

        var rules = SyncRulesSet.Parse(yaml, options);
        if (c.TryGetProperty("warnings", out var warnings))
        {
            // The official warning about client parameters: given exactly where the official evaluator gives it.
            const string dangerous = "Potentially dangerous query";
            Assert.That(
                rules.Warnings.Count(w => w.Message.StartsWith(dangerous, StringComparison.Ordinal)),
                Is.EqualTo(warnings.EnumerateArray().Count(w => w.GetString()!.StartsWith(dangerous, StringComparison.Ordinal))),
                "client-parameter warnings");
        }

        var rows = c.GetProperty("rows").EnumerateArray().ToList();
        var expectedRows = c.GetProperty("rowResults").EnumerateArray().ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var schema = r.TryGetProperty("schema", out var s) ? s.GetString()! : "public";
            var typed = c.TryGetProperty("typed", out var t) && t.GetBoolean();
            var result = rules.EvaluateRow(schema, r.GetProperty("table").GetString()!, DecodeRow(r.GetProperty("row")), includeValues: typed);
            var actual = result.Rows.Select(x => $"{x.Bucket}|{x.ObjectType}|{x.ObjectId}|{x.Data}").Order(StringComparer.Ordinal).ToList();
            var expected = expectedRows[i].GetProperty("rows").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
            Assert.That(actual, Is.EqualTo(expected), $"row {i}");
            if (typed)
            {
                // EvaluatedRow.Values: the same columns as the data, typed ("name=type|json").
                var actualTyped = result.Rows.Select(x => string.Join(" ", x.Values!.Select(v => $"{v.Key}={ExpressionHarness.Render(v.Value)}"))).Order(StringComparer.Ordinal);
                var expectedTyped = expectedRows[i].GetProperty("typed").EnumerateArray().Select(e => string.Join(" ", e.EnumerateArray().Select(v => v.GetString()))).Order(StringComparer.Ordinal);
                Assert.That(actualTyped, Is.EqualTo(expectedTyped), $"row {i} typed values");
            }

            Assert.That(result.Errors, Has.Count.EqualTo(expectedRows[i].GetProperty("errors").GetInt32()), $"row {i} errors");
        }

        var store = new Dictionary<string, List<string>>();
        var expectedParameterResults = c.TryGetProperty("parameterResults", out var pr) ? pr.EnumerateArray().ToList() : null;
        var paramIndex = 0;
        foreach (var r in c.GetProperty("paramRows").EnumerateArray())
        {
            var schema = r.TryGetProperty("schema", out var s) ? s.GetString()! : "public";
            var evaluated = rules.EvaluateParameterRowWithErrors(schema, r.GetProperty("table").GetString()!, DecodeRow(r.GetProperty("row")));
            if (expectedParameterResults is not null)
            {
                // Lookup keys are storage-internal (their query ids differ from upstream's): compare counts and errors.
                var expectedResult = expectedParameterResults[paramIndex];
                Assert.That(evaluated.Lookups, Has.Count.EqualTo(expectedResult.GetProperty("lookups").GetArrayLength()), $"parameter row {paramIndex} lookups");
                Assert.That(evaluated.Errors, Has.Count.EqualTo(expectedResult.GetProperty("errors").GetInt32()), $"parameter row {paramIndex} errors");
            }

            paramIndex++;
            foreach (var lookup in evaluated.Lookups)
            {
                if (!store.TryGetValue(lookup.Lookup, out var list))
                {
                    store[lookup.Lookup] = list = [];
                }

                list.Add(lookup.Parameters);
            }
        }

        var requests = c.GetProperty("requests").EnumerateArray().ToList();
        var expectedRequests = c.GetProperty("requestResults").EnumerateArray().ToList();
        for (var i = 0; i < requests.Count; i++)
        {
            var q = requests[i];
            var subscriptions = q.TryGetProperty("subs", out var subs)
                ? subs.EnumerateArray().Select(sub => new StreamSubscription(
                    sub.GetProperty("stream").GetString()!,
                    sub.TryGetProperty("params", out var sp) && sp.ValueKind == JsonValueKind.String ? sp.GetString() : null,
                    sub.TryGetProperty("priority", out var pr) ? pr.GetInt32() : null)).ToList()
                : null;
            var request = new RequestParameters(
                q.GetProperty("jwt").GetString()!,
                q.TryGetProperty("params", out var p) ? p.GetString() : null,
                subscriptions,
                !q.TryGetProperty("defaults", out var defaults) || defaults.GetBoolean());
            var resolution = rules.ResolveRequest(request);
            var fetched = resolution.Lookups.ToDictionary(l => l, l => (IReadOnlyList<string>)(store.TryGetValue(l, out var found) ? found : []));
            // The same bucket from several subscriptions is merged with the lowest priority number
            // (upstream mergeBuckets); compare the merged view.
            var buckets = resolution.StaticBuckets.Concat(resolution.ResolveLookups(fetched)).ToList();
            var actual = Merge(buckets.Select(b => $"{b.Bucket}|{b.Priority}"));
            var expected = Merge(expectedRequests[i].EnumerateArray().Select(e => e.GetString()!));
            Assert.That(actual, Is.EqualTo(expected), $"request {i}");
            if (c.TryGetProperty("requestDetails", out var details))
            {
                // Definition and inclusion reasons (default, or the index of the request's subscription).
                var expectedDetails = details[i];
                var described = buckets.GroupBy(b => b.Bucket).Select(g => g.Aggregate((a, b) => a.Merge(b)))
                    .Select(b => $"{b.Bucket}|{b.Priority}|{b.Definition}|" + string.Join(",", b.InclusionReasons
                        .Select(reason => reason.IsDefault ? "default" : $"subscription:{IndexOf(subscriptions!, reason.Subscription!)}")
                        .Distinct().Order(StringComparer.Ordinal)))
                    .Order(StringComparer.Ordinal);
                Assert.That(described, Is.EqualTo(expectedDetails.GetProperty("buckets").EnumerateArray().Select(e => e.GetString())), $"request {i} details");
                Assert.That(resolution.Errors, Has.Count.EqualTo(expectedDetails.GetProperty("errors").GetInt32()), $"request {i} errors");
            }
        }
    }

    private static int IndexOf(List<StreamSubscription> subscriptions, StreamSubscription subscription) =>
        subscriptions.FindIndex(s => ReferenceEquals(s, subscription));

    private static List<string> Merge(IEnumerable<string> buckets) => buckets
        .Select(b => (Bucket: b[..b.LastIndexOf('|')], Priority: int.Parse(b[(b.LastIndexOf('|') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
        .GroupBy(b => b.Bucket)
        .Select(g => $"{g.Key}|{g.Min(b => b.Priority)}")
        .Order(StringComparer.Ordinal)
        .ToList();
}
