using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Protocol;

public sealed class SyncRequestTests
{
    private static SyncRequest Parse(string json, int maxBuckets = 1000) => SyncRequest.Parse(Encoding.UTF8.GetBytes(json), maxBuckets);

    [Test]
    public void The_official_node_client_request_parses()
    {
        var request = Parse("""
            {"buckets":[{"name":"by_user[\"u1\"]","after":"42"},{"name":"global[]","after":"0"}],"include_checksum":true,"raw_data":true,
             "binary_data":true,"client_id":"5f3c","parameters":{"team":"blue"},"streams":{"include_defaults":true,"subscriptions":[]},"app_metadata":{}}
            """);

        Assert.That(request.Buckets["by_user[\"u1\"]"], Is.EqualTo(new OpId(42)));
        Assert.That(request.Buckets["global[]"], Is.EqualTo(OpId.Zero));
        Assert.That((request.RawData, request.ClientId, request.IncludeDefaultStreams), Is.EqualTo((true, "5f3c", true)));
        Assert.That(request.Parameters.GetProperty("team").GetString(), Is.EqualTo("blue"));
    }

    [Test]
    public void An_empty_object_is_a_fresh_client_with_defaults()
    {
        var request = Parse("{}");
        Assert.That((request.Buckets.Count, request.RawData, request.ClientId, request.IncludeDefaultStreams), Is.EqualTo((0, false, (string?)null, true)));
    }

    [Test]
    public void Stream_subscriptions_parse_with_parameters_and_priority_override()
    {
        var request = Parse("""{"streams":{"include_defaults":false,"subscriptions":[{"stream":"todos","parameters":{"list":"l1"},"override_priority":1},{"stream":"lists","parameters":null,"override_priority":null}]}}""");
        Assert.That(request.IncludeDefaultStreams, Is.False);
        Assert.That(request.Subscriptions.Select(s => (s.Stream, s.OverridePriority)), Is.EqualTo(new[] { ("todos", (int?)1), ("lists", (int?)null) }));
        Assert.That(request.Subscriptions[0].Parameters!.Value.GetProperty("list").GetString(), Is.EqualTo("l1"));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("[]", "must be a JSON object")]
    [TestCase("""{"buckets":{}}""", "'buckets' must be an array")]
    [TestCase("""{"buckets":[1]}""", "buckets[0] must be an object")]
    [TestCase("""{"buckets":[{"after":"1"}]}""", "buckets[0].name")]
    [TestCase("""{"buckets":[{"name":"a","after":"-1"}]}""", "buckets[0].after must be an op id")]
    [TestCase("""{"buckets":[{"name":"a","after":"99999999999999999999"}]}""", "buckets[0].after must be an op id")]
    [TestCase("""{"buckets":[{"name":"a","after":"1e9"}]}""", "buckets[0].after must be an op id")]
    [TestCase("""{"buckets":[{"name":"a","after":true}]}""", "buckets[0].after must be an op id")]
    [TestCase("""{"parameters":"x"}""", "'parameters' must be an object")]
    [TestCase("""{"raw_data":"yes"}""", "'raw_data' must be true or false")]
    [TestCase("""{"client_id":7}""", "'client_id' must be a string")]
    [TestCase("""{"streams":{"subscriptions":[{"parameters":{}}]}}""", "subscriptions[0].stream")]
    [TestCase("""{"streams":{"subscriptions":[{"stream":"s","override_priority":7}]}}""", "override_priority must be 0, 1, 2, 3")]
    [TestCase("""{"streams":{"include_defaults":"no"}}""", "include_defaults' must be true or false")]
    public void A_bad_request_names_what_is_wrong(string json, string expected)
    {
        var ex = Assert.Throws<PowerSyncException>(() => Parse(json));
        Assert.That(ex!.Code, Is.EqualTo(ProtocolErrorCodes.InvalidRequest));
        Assert.That(ex.Message, Does.Contain(expected));
    }

    [Test]
    public void Too_many_bucket_positions_are_refused()
    {
        var json = "{\"buckets\":[" + string.Join(",", Enumerable.Range(0, 11).Select(i => $"{{\"name\":\"b{i}\",\"after\":\"0\"}}")) + "]}";
        var ex = Assert.Throws<PowerSyncException>(() => Parse(json, maxBuckets: 10));
        Assert.That(ex!.Message, Does.Contain("11 buckets; at most 10"));
    }

    [Test]
    public void A_very_long_client_id_is_refused()
    {
        var ex = Assert.Throws<PowerSyncException>(() => Parse($"{{\"client_id\":\"{new string('x', 300)}\"}}"));
        Assert.That(ex!.Message, Does.Contain("at most 256"));
    }

    [Test]
    public void Deeply_nested_parameters_are_refused_rather_than_exhausting_the_stack()
    {
        var json = "{\"parameters\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.That(Assert.Throws<PowerSyncException>(() => Parse(json))!.Code, Is.EqualTo(ProtocolErrorCodes.InvalidRequest));
    }

    [Test]
    public void Repeated_subscriptions_are_merged_into_the_first()
    {
        var same = """{"stream":"todos","parameters":{"list":"l1"},"override_priority":1}""";
        var json = "{\"streams\":{\"subscriptions\":[" + string.Join(",", Enumerable.Repeat(same, 15_000)) +
            """,{"stream":"todos","parameters":{"list":"l2"}},{"stream":"todos","parameters":{"list":"l1"}},{"stream":"lists"}]}}""";

        var request = Parse(json);

        Assert.That(request.Subscriptions.Select(s => (s.Stream, s.Parameters?.GetRawText(), s.OverridePriority)), Is.EqualTo(new[]
        {
            ("todos", """{"list":"l1"}""", (int?)1),
            ("todos", """{"list":"l2"}""", null),
            ("todos", """{"list":"l1"}""", null),
            ("lists", (string?)null, null),
        }));
        // Each keeps its index in the request, which is what a bucket's {"sub": i} names.
        Assert.That(request.Subscriptions.Select(s => s.Index), Is.EqualTo(new[] { 0, 15_000, 15_001, 15_002 }));
    }

    [Test]
    public void More_distinct_subscriptions_than_the_limit_are_refused_with_their_own_code()
    {
        string Subscriptions(int count) => "{\"streams\":{\"subscriptions\":[" +
            string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"stream\":\"todos\",\"parameters\":{{\"list\":\"l{i}\"}}}}")) + "]}}";
        Assert.That(SyncRequest.Parse(Encoding.UTF8.GetBytes(Subscriptions(100)), 1000).Subscriptions, Has.Count.EqualTo(100));

        var ex = Assert.Throws<PowerSyncException>(() => SyncRequest.Parse(Encoding.UTF8.GetBytes(Subscriptions(101)), 1000));
        Assert.That(ex!.Code, Is.EqualTo(ProtocolErrorCodes.TooManySubscriptions));
        Assert.That(ex.Message, Does.Contain("more than 100 distinct subscriptions"));
        Assert.That(SyncRequest.Parse(Encoding.UTF8.GetBytes(Subscriptions(101)), 1000, maxSubscriptions: 200).Subscriptions, Has.Count.EqualTo(101));
    }

    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28];

    [TestCase("""{"client_id":"#"}""", "client_id")]
    [TestCase("""{"buckets":[{"name":"#","after":"0"}]}""", "buckets[0].name")]
    [TestCase("""{"streams":{"subscriptions":[{"stream":"#"}]}}""", "streams.subscriptions[0].stream")]
    [TestCase("""{"streams":{"subscriptions":[{"stream":"s","parameters":{"p":["#"]}}]}}""", "streams.subscriptions[0].parameters")]
    [TestCase("""{"parameters":{"#":1}}""", "parameters")]
    public void Invalid_utf8_or_a_lone_surrogate_in_a_string_is_an_invalid_request(string template, string field)
    {
        var at = template.IndexOf('#', StringComparison.Ordinal);
        byte[] Body(byte[] text) => [.. Encoding.UTF8.GetBytes(template[..at]), .. text, .. Encoding.UTF8.GetBytes(template[(at + 1)..])];

        foreach (var text in new[] { InvalidUtf8, Encoding.UTF8.GetBytes("a\\ud800b"), Encoding.UTF8.GetBytes("\\udc00") })
        {
            var ex = Assert.Throws<PowerSyncException>(() => SyncRequest.Parse(Body(text), 1000));
            Assert.That(ex!.Code, Is.EqualTo(ProtocolErrorCodes.InvalidRequest));
            Assert.That(ex.Message, Does.Contain(field).And.Contain("not valid text"));
        }
        Assert.That(() => SyncRequest.Parse(Body(Encoding.UTF8.GetBytes("\\ud83d\\ude00")), 1000), Throws.Nothing, "a surrogate pair is text");
    }

    [Test]
    public async Task Merged_repeats_leave_each_bucket_naming_the_request_indexes_of_the_distinct_subscriptions()
    {
        var rules = PowerSync.Core.SyncRules.SyncRulesSet.Parse("""
            config:
              edition: 2
            streams:
              mine:
                query: SELECT * FROM items WHERE owner = auth.user_id()
              all:
                query: SELECT * FROM items
            """);
        await using var h = await SessionHarness.StartAsync();
        var resolver = new SyncRulesBucketResolver(_ => rules, h.Scope.Storage.Reader);
        var request = Parse("""{"streams":{"include_defaults":false,"subscriptions":[{"stream":"mine"},{"stream":"mine"},{"stream":"mine"},{"stream":"all"},{"stream":"mine","override_priority":1}]}}""");

        var resolved = await resolver.ResolveAsync(SessionHarness.User(), request, new Checkpoint(1, new OpId(1), Lsn.Zero), default);

        var subscriptions = resolved.Buckets.ToDictionary(b => b.Name, b => b.Subscriptions.Select(s => (s.IsDefault, s.Index)).ToList());
        Assert.That(subscriptions["all|0[]"], Is.EqualTo(new[] { (false, 3) }));
        Assert.That(subscriptions["mine|0[\"user-1\"]"], Is.EqualTo(new[] { (false, 0), (false, 4) }));
    }
}
