using System.Text;
using System.Text.Json.Nodes;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Protocol;

/// <summary>
/// BSON sync lines, read back with MongoDB's BSON library: the official service's document shapes (op ids as strings,
/// row data as a JSON string, numbers int32 or double as the service's serializer writes them), and the same content
/// as the NDJSON line for every kind of line.
/// </summary>
[TestFixture]
public sealed class BsonLineWriterTests
{
    private static readonly OplogEntry[] Ops =
    [
        OplogEntry.FromText(new OpId(7), OpType.Put, "todos", "t\"1", "sub\\k", """{"id":"t\"1","n":1.5,"e":"é 😀"}""", uint.MaxValue, null),
        OplogEntry.FromText(new OpId(8), OpType.Remove, "todos", "t2", "s2", null, 5, null),
        OplogEntry.FromText(new OpId(9), OpType.Move, null, null, null, null, int.MaxValue, new OpId(12)),
        OplogEntry.FromText(new OpId(10), OpType.Clear, null, null, null, null, 0, null),
    ];

    private static IEnumerable<SyncLine> EveryKindOfLine()
    {
        yield return new DataLine(new BucketDataPage("by_list[\"a\"]", new OpId(3), Ops, HasMore: true));
        yield return new CheckpointLine(new OpId(12), 42, [
            new CheckpointBucket("b1", -93886621, 2, 3, [new BucketSubscription(IsDefault: true, 0)]),
            new CheckpointBucket("b2", int.MaxValue, 5_000_000_000, 0, [new BucketSubscription(IsDefault: false, 1), new BucketSubscription(IsDefault: true, 0)]),
        ], [new StreamDescription("lists", IsDefault: true, [new StreamError("default", "bad"), new StreamError("1", "worse")])]);
        yield return new CheckpointLine(new OpId(13), null, [], []);
        yield return new CheckpointDiffLine(new OpId(14), 43, [new CheckpointBucket("b3", 1, 1, 1, [])], ["b1", "b2"]);
        yield return new CheckpointDiffLine(new OpId(15), null, [], []);
        yield return new CheckpointCompleteLine(new OpId(15));
        yield return new PartialCheckpointCompleteLine(new OpId(15), 1);
        yield return new KeepaliveLine(0);
        yield return new KeepaliveLine(3_000_000_000);
    }

    [Test]
    public void A_data_line_carries_op_ids_as_strings_row_data_as_a_json_string_and_checksums_as_the_service_serializes_numbers()
    {
        var doc = Read(new DataLine(new BucketDataPage("by_list[\"a\"]", new OpId(3), Ops, HasMore: true)));

        var data = doc["data"].AsBsonDocument;
        Assert.That(data.Names, Is.EqualTo(new[] { "bucket", "data", "has_more", "after", "next_after" }));
        Assert.That(data["bucket"], Is.EqualTo(new BsonString("by_list[\"a\"]")));
        Assert.That(data["has_more"], Is.EqualTo(BsonBoolean.True));
        Assert.That(data["after"], Is.EqualTo(new BsonString("3")));
        Assert.That(data["next_after"], Is.EqualTo(new BsonString("10")));
        var ops = data["data"].AsBsonArray;
        Assert.That(ops[0], Is.EqualTo(new BsonDocument
        {
            { "op_id", "7" }, { "op", "PUT" }, { "object_type", "todos" }, { "object_id", "t\"1" },
            { "data", """{"id":"t\"1","n":1.5,"e":"é 😀"}""" }, { "checksum", new BsonDouble(uint.MaxValue) }, { "subkey", "sub\\k" },
        }), "a checksum of 2^31 or more is a double, as JavaScript numbers outside int32 are");
        Assert.That(ops[1], Is.EqualTo(new BsonDocument
        {
            { "op_id", "8" }, { "op", "REMOVE" }, { "object_type", "todos" }, { "object_id", "t2" },
            { "data", BsonNull.Value }, { "checksum", new BsonInt32(5) }, { "subkey", "s2" },
        }));
        Assert.That(ops[2], Is.EqualTo(new BsonDocument { { "op_id", "9" }, { "op", "MOVE" }, { "checksum", new BsonInt32(int.MaxValue) } }));
        Assert.That(ops[3], Is.EqualTo(new BsonDocument { { "op_id", "10" }, { "op", "CLEAR" }, { "checksum", new BsonInt32(0) } }));
    }

    [Test]
    public void A_checkpoint_without_a_write_checkpoint_leaves_the_field_out_and_one_with_it_sends_a_string()
    {
        var lines = EveryKindOfLine().ToList();
        var with = Read(lines[1])["checkpoint"].AsBsonDocument;
        var without = Read(lines[2])["checkpoint"].AsBsonDocument;

        Assert.That(with["write_checkpoint"], Is.EqualTo(new BsonString("42")));
        Assert.That(without.Contains("write_checkpoint"), Is.False);
        Assert.That(with["buckets"][0]["checksum"], Is.EqualTo(new BsonInt32(-93886621)));
        Assert.That(with["buckets"][1]["count"], Is.EqualTo(new BsonDouble(5_000_000_000)));
        Assert.That(with["streams"][0]["errors"][1]["subscription"], Is.EqualTo(new BsonInt32(1)));
        Assert.That(with["streams"][0]["errors"][0]["subscription"], Is.EqualTo(new BsonString("default")));
    }

    [Test]
    public void Every_kind_of_line_holds_what_its_json_line_holds()
    {
        foreach (var line in EveryKindOfLine())
        {
            var json = JsonNode.Parse(SyncLineWriter.ToBytes(line, SyncLineEncoding.Json))!.ToJsonString();
            Assert.That(ToJson(Read(line))!.ToJsonString(), Is.EqualTo(json), line.GetType().Name);
        }
    }

    [Test]
    public void Each_line_is_one_complete_document_whose_length_prefix_is_its_size()
    {
        foreach (var line in EveryKindOfLine())
        {
            var bytes = SyncLineWriter.ToBytes(line, SyncLineEncoding.Bson);
            Assert.That(BitConverter.ToInt32(bytes, 0), Is.EqualTo(bytes.Length), line.GetType().Name);
            Assert.That(bytes[^1], Is.Zero, "a document ends with its terminator");
        }
    }

    [Test]
    public void A_large_page_is_cached_in_pieces_that_together_are_the_document()
    {
        var data = new string('x', 400);
        var ops = Enumerable.Range(1, 1000).Select(i => OplogEntry.FromText(new OpId(i), OpType.Put, "t", $"id{i}", "s", data, (uint)i, null)).ToArray();
        var page = new BucketDataPage("b", OpId.Zero, ops, HasMore: false);

        var pieces = SyncLineWriter.DataLineBytes(page, SyncLineEncoding.Bson);

        Assert.That(pieces, Has.Length.GreaterThan(1));
        Assert.That(pieces.SelectMany(p => p), Is.EqualTo(SyncLineWriter.ToBytes(new DataLine(page), SyncLineEncoding.Bson)));
        Assert.That(SyncLineWriter.DataLineBytes(page, SyncLineEncoding.Bson), Is.SameAs(pieces), "serialized once per page");
        Assert.That(Read(new DataLine(page))["data"]["data"].AsBsonArray, Has.Count.EqualTo(1000));
    }

    private static BsonDocument Read(SyncLine line) => BsonSerializer.Deserialize<BsonDocument>(SyncLineWriter.ToBytes(line, SyncLineEncoding.Bson));

    /// <summary>The document as JSON, numbers as values (an integral double as an integer, as JSON writes it).</summary>
    private static JsonNode? ToJson(BsonValue value) => value switch
    {
        BsonDocument d => new JsonObject(d.Elements.Select(e => KeyValuePair.Create(e.Name, ToJson(e.Value)))),
        BsonArray a => new JsonArray([.. a.Select(ToJson)]),
        BsonString s => JsonValue.Create(s.Value),
        BsonInt32 i => JsonValue.Create((long)i.Value),
        BsonDouble d when d.Value == Math.Floor(d.Value) => JsonValue.Create((long)d.Value),
        BsonDouble d => JsonValue.Create(d.Value),
        BsonBoolean b => JsonValue.Create(b.Value),
        BsonNull => null,
        _ => throw new AssertionException($"Unexpected BSON type {value.BsonType}"),
    };
}
