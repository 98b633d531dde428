using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Where the official evaluator is plainly defective (compat notes 9 and 13) we implement the
/// correct behaviour; these tests pin it (the official output is quoted in each test).
/// </summary>
[TestFixture]
public sealed class DeliberateDeviationTests
{
    [Test]
    public void And_on_one_bucket_parameter_requires_both_conditions()
    {
        // Official 0.38.1 emits b["a"] for the first row as well (its `valid` flag is never read).
        var rules = SyncRulesSet.Parse("""
            bucket_definitions:
              b:
                parameters: SELECT request.user_id() AS u
                data:
                  - SELECT * FROM t WHERE owner = bucket.u AND assignee = bucket.u
            """);
        var mismatch = rules.EvaluateRow("public", "t", Row(("id", "1"), ("owner", "a"), ("assignee", "b")));
        var match = rules.EvaluateRow("public", "t", Row(("id", "2"), ("owner", "a"), ("assignee", "a")));
        Assert.That(mismatch.Rows, Is.Empty);
        Assert.That(match.Rows.Select(r => r.Bucket), Is.EqualTo(new[] { "b[\"a\"]" }));
    }

    [Test]
    public void And_on_one_bucket_parameter_treats_equal_numbers_as_equal()
    {
        var rules = SyncRulesSet.Parse("""
            bucket_definitions:
              b:
                parameters: SELECT request.user_id() AS u
                data:
                  - SELECT * FROM t WHERE x = bucket.u AND y = bucket.u
            """);
        var row = new Dictionary<string, SqliteValue>
        {
            ["id"] = SqliteValue.FromText("1"), ["x"] = SqliteValue.FromInteger(5), ["y"] = SqliteValue.FromReal(5.0),
        };
        Assert.That(rules.EvaluateRow("public", "t", row).Rows.Select(r => r.Bucket), Is.EqualTo(new[] { "b[5]" }));
    }

    [Test]
    public void Stream_priority_is_honoured_and_subscriptions_can_override_it()
    {
        // Official 0.38.1 (alpha streams) ignores `priority:` and reports priority 3.
        var rules = SyncRulesSet.Parse("""
            config:
              edition: 2
            streams:
              all:
                query: SELECT id, name FROM items
                auto_subscribe: true
                priority: 1
              mine:
                query: SELECT * FROM items WHERE owner = auth.user_id()
                priority: 2
            """);
        var resolution = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine", "{}", 0)]));
        Assert.That(resolution.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 1), ("mine|0[\"u\"]", 0) }));
        var defaults = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine")]));
        Assert.That(defaults.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 1), ("mine|0[\"u\"]", 2) }));
    }

    [Test]
    public void Default_streams_are_left_out_when_the_client_opts_out()
    {
        // Official 0.38.1 (alpha streams) still adds the default subscription when include_defaults is false
        // but the client subscribes to the same stream explicitly.
        var rules = SyncRulesSet.Parse("""
            config:
              edition: 2
            streams:
              s:
                query: SELECT * FROM items WHERE cat = subscription.parameter('cat')
                auto_subscribe: true
            """);
        var optOut = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", null, [new StreamSubscription("s", "{\"cat\":\"x\"}")], includeDefaultStreams: false));
        Assert.That(optOut.StaticBuckets.Select(b => b.Bucket), Is.EqualTo(new[] { "s|0[\"x\"]" }));
        var withDefaults = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", null, [new StreamSubscription("s", "{\"cat\":\"x\"}")]));
        Assert.That(withDefaults.StaticBuckets.Select(b => b.Bucket), Is.EquivalentTo(new[] { "s|0[\"x\"]", "s|0[null]" }));
    }

    private static Dictionary<string, SqliteValue> Row(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => SqliteValue.FromText(v.Value));
}
