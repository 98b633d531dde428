using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Where the official evaluator (0.38.1) is plainly defective (compat notes 9 and 13), the default output is still
/// the official one, byte for byte; the one improvement, stream priorities, is opt-in
/// (<see cref="SyncRulesParseOptions.HonourStreamPriority"/>).
/// </summary>
[TestFixture]
public sealed class OfficialQuirkTests
{
    [Test]
    public void And_on_one_bucket_parameter_keeps_the_first_value_when_the_conditions_disagree()
    {
        // Upstream computes a validity flag for the two bindings of bucket.u and never reads it.
        var rules = SyncRulesSet.Parse("""
            bucket_definitions:
              b:
                parameters: SELECT request.user_id() AS u
                data:
                  - SELECT * FROM t WHERE owner = bucket.u AND assignee = bucket.u
            """);
        var mismatch = rules.EvaluateRow("public", "t", Row(("id", "1"), ("owner", "a"), ("assignee", "b")));
        var match = rules.EvaluateRow("public", "t", Row(("id", "2"), ("owner", "a"), ("assignee", "a")));
        Assert.That(mismatch.Rows.Select(r => r.Bucket), Is.EqualTo(new[] { "b[\"a\"]" }));
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

    private const string PrioritizedStreams = """
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
        """;

    [Test]
    public void Edition_2_stream_priority_is_ignored_by_default_as_upstream_but_subscriptions_override_it()
    {
        var rules = SyncRulesSet.Parse(PrioritizedStreams);
        var overridden = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine", "{}", 0)]));
        Assert.That(overridden.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 3), ("mine|0[\"u\"]", 0) }));
        var plain = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine")]));
        Assert.That(plain.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 3), ("mine|0[\"u\"]", 3) }));
    }

    [Test]
    public void Stream_priority_is_honoured_when_opted_in_and_subscriptions_still_override_it()
    {
        var rules = SyncRulesSet.Parse(PrioritizedStreams, new SyncRulesParseOptions { HonourStreamPriority = true });
        var overridden = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine", "{}", 0)]));
        Assert.That(overridden.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 1), ("mine|0[\"u\"]", 0) }));
        var plain = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", subscriptions: [new StreamSubscription("mine")]));
        Assert.That(plain.StaticBuckets.Select(b => (b.Bucket, b.Priority)), Is.EquivalentTo(new[] { ("all|0[]", 1), ("mine|0[\"u\"]", 2) }));
    }

    [Test]
    public void An_explicit_subscription_to_a_default_stream_also_brings_its_default_subscription_without_include_defaults()
    {
        // Upstream adds the default subscription of an auto-subscribed stream whenever the client subscribes to it,
        // include_defaults or not; other default streams and bucket definitions stay out.
        var rules = SyncRulesSet.Parse("""
            config:
              edition: 2
            bucket_definitions:
              global:
                data:
                  - SELECT * FROM lists
            streams:
              s:
                query: SELECT * FROM items WHERE cat = subscription.parameter('cat')
                auto_subscribe: true
              other:
                query: SELECT * FROM items
                auto_subscribe: true
            """);
        var optOut = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", null, [new StreamSubscription("s", "{\"cat\":\"x\"}")], includeDefaultStreams: false));
        Assert.That(optOut.StaticBuckets.Select(b => b.Bucket), Is.EquivalentTo(new[] { "s|0[\"x\"]", "s|0[null]" }));
        var nothing = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}", null, [], includeDefaultStreams: false));
        Assert.That(nothing.StaticBuckets, Is.Empty);
        var withDefaults = rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}"));
        Assert.That(withDefaults.StaticBuckets.Select(b => b.Bucket), Is.EquivalentTo(new[] { "global[]", "s|0[null]", "other|0[]" }));
    }

    private static Dictionary<string, SqliteValue> Row(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => SqliteValue.FromText(v.Value));
}
