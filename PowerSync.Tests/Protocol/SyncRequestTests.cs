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
}
