using System.Text;
using System.Text.Json;
using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Protocol;

/// <summary>Sync lines byte for byte as the official service (JSON.stringify) writes them; data lines straight from the ops' UTF-8.</summary>
[TestFixture]
public sealed class DataLineWriterTests
{
    // Quote, backslash, the short escapes, other control characters, DEL, non-ASCII, an emoji, U+2028, HTML-ish characters.
    private const string Awkward = "q\"b\\n\n t\t r\r b\b f\f c\u0001 u\u001f del\u007f é 😀 ls\u2028 <&>'/";

    // What node's JSON.stringify(Awkward) prints: only " \ and control characters are escaped, \u00xx in lowercase.
    private const string AwkwardAsJson = "\"q\\\"b\\\\n\\n t\\t r\\r b\\b f\\f c\\u0001 u\\u001f del\u007f é 😀 ls\u2028 <&>'/\"";

    private static readonly OplogEntry[] Ops =
    [
        OplogEntry.FromText(new OpId(7), OpType.Put, "todos", "t\"1", "sub\\k", """{"id":"t\"1","n":1.5}""", uint.MaxValue, null),
        OplogEntry.FromText(new OpId(8), OpType.Remove, "todos", "t2", "s2", null, 5, null),
        OplogEntry.FromText(new OpId(9), OpType.Move, null, null, null, null, 6, new OpId(12)),
        OplogEntry.FromText(new OpId(10), OpType.Clear, null, null, null, null, 0, null),
    ];

    [Test]
    public void A_raw_data_line_sends_row_data_as_a_string_and_every_op_kind_with_its_fields()
    {
        var line = Write(new BucketDataPage("by_list[\"a\"]", new OpId(3), Ops, HasMore: true), rawData: true);

        Assert.That(line, Is.EqualTo(
            """{"data":{"bucket":"by_list[\"a\"]","data":[""" +
            """{"op_id":"7","op":"PUT","object_type":"todos","object_id":"t\"1","data":"{\"id\":\"t\\\"1\",\"n\":1.5}","checksum":4294967295,"subkey":"sub\\k"},""" +
            """{"op_id":"8","op":"REMOVE","object_type":"todos","object_id":"t2","data":null,"checksum":5,"subkey":"s2"},""" +
            """{"op_id":"9","op":"MOVE","checksum":6},""" +
            """{"op_id":"10","op":"CLEAR","checksum":0}""" +
            """],"has_more":true,"after":"3","next_after":"10"}}""" + "\n"));
    }

    [Test]
    public void A_legacy_data_line_embeds_the_stored_json_as_an_object()
    {
        var line = Write(new BucketDataPage("b", OpId.Zero, Ops[..1], HasMore: false), rawData: false);

        Assert.That(line, Is.EqualTo(
            """{"data":{"bucket":"b","data":[{"op_id":"7","op":"PUT","object_type":"todos","object_id":"t\"1","data":{"id":"t\"1","n":1.5},"checksum":4294967295,"subkey":"sub\\k"}],"has_more":false,"after":"0","next_after":"7"}}""" + "\n"));
    }

    [Test]
    public void Strings_are_escaped_exactly_as_JSON_stringify_escapes_them()
    {
        var op = OplogEntry.FromText(new OpId(1), OpType.Put, Awkward, Awkward, Awkward, Awkward, 1, null);
        var line = Write(new BucketDataPage(Awkward, OpId.Zero, [op], HasMore: false), rawData: true);

        Assert.That(line, Is.EqualTo(
            "{\"data\":{\"bucket\":" + AwkwardAsJson + ",\"data\":[{\"op_id\":\"1\",\"op\":\"PUT\",\"object_type\":" + AwkwardAsJson +
            ",\"object_id\":" + AwkwardAsJson + ",\"data\":" + AwkwardAsJson + ",\"checksum\":1,\"subkey\":" + AwkwardAsJson +
            "}],\"has_more\":false,\"after\":\"0\",\"next_after\":\"1\"}}\n"));
    }

    [Test]
    public void Checkpoint_lines_escape_bucket_and_stream_names_the_same_way()
    {
        var line = Encoding.UTF8.GetString(SyncLineWriter.ToBytes(
            new CheckpointLine(new OpId(5), null, [new CheckpointBucket(Awkward, -1, 2, 3, [])], [new StreamDescription(Awkward, true, [])]), rawData: true));

        Assert.That(line, Is.EqualTo(
            "{\"checkpoint\":{\"last_op_id\":\"5\",\"buckets\":[{\"bucket\":" + AwkwardAsJson + ",\"checksum\":-1,\"count\":2,\"priority\":3,\"subscriptions\":[]}]," +
            "\"streams\":[{\"name\":" + AwkwardAsJson + ",\"is_default\":true,\"errors\":[]}]}}\n"));
    }

    [Test]
    public void Every_control_character_long_text_and_text_of_escapes_round_trip_through_a_json_parser()
    {
        var text = new StringBuilder();
        for (var c = 0; c < 0x80; c++) text.Append((char)c);
        // Long runs, and more escapes than the writer reserves room for at first.
        text.Append(new string('x', 5000)).Append("\"\\\u0000ü€𝄞").Append(new string('\u0001', 1000)).Append('"', 500).Append("end");
        var op = OplogEntry.FromText(new OpId(1), OpType.Put, "t", text.ToString(), text.ToString(), text.ToString(), 1, null);

        using var parsed = JsonDocument.Parse(Write(new BucketDataPage("b", OpId.Zero, [op], HasMore: false), rawData: true));

        var written = parsed.RootElement.GetProperty("data").GetProperty("data")[0];
        foreach (var field in new[] { "object_id", "subkey", "data" })
            Assert.That(written.GetProperty(field).GetString(), Is.EqualTo(text.ToString()), field);
    }

    [Test]
    public void A_served_line_is_kept_in_pieces_below_the_large_object_heap_that_together_are_the_line()
    {
        var ops = Enumerable.Range(1, 1000).Select(i => OplogEntry.FromText(new OpId(i), OpType.Put, "t", $"id{i}", $"s{i}", "{\"x\":\"" + new string('x', 200) + "\"}", 1, null)).ToList();
        var page = new BucketDataPage("b", OpId.Zero, ops, HasMore: false);

        var chunks = SyncLineWriter.DataLineBytes(page, rawData: true);

        Assert.That(chunks, Has.Length.GreaterThan(2));
        Assert.That(chunks.SkipLast(1), Has.All.Length.EqualTo(SyncLineWriter.ChunkSize));
        Assert.That(chunks[^1], Has.Length.InRange(1, SyncLineWriter.ChunkSize));
        Assert.That(chunks.SelectMany(c => c), Is.EqualTo(SyncLineWriter.ToBytes(new DataLine(page), rawData: true)));
        Assert.That(SyncLineWriter.DataLineBytes(page, rawData: true), Is.SameAs(chunks), "serialized once per page");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_page_longer_than_the_line_limit_goes_out_as_lines_within_it_that_continue_one_another(bool hasMore)
    {
        var ops = Enumerable.Range(1, 1000).Select(i => OplogEntry.FromText(new OpId(100 + i), OpType.Put, "t", $"id{i}", $"s{i}", "{\"x\":\"" + new string('x', 300) + "\"}", 1, null)).ToList();
        var page = new BucketDataPage("b", new OpId(100), ops, hasMore);

        var lines = Lines(SyncLineWriter.ToBytes(new DataLine(page), rawData: true));

        Assert.That(lines, Has.Count.GreaterThan(5));
        Assert.That(lines.Select(l => l.Length), Has.All.LessThanOrEqualTo(SyncLineWriter.MaxDataLineBytes));
        Assert.That(lines.SkipLast(1).Select(l => l.Length), Has.All.GreaterThan(SyncLineWriter.MaxDataLineBytes - 500), "each line is filled up to the limit");
        var data = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("data")).ToList();
        Assert.That(data.SelectMany(d => d.GetProperty("data").EnumerateArray().Select(op => op.GetProperty("op_id").GetString())),
            Is.EqualTo(ops.Select(op => op.OpId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))), "every op once, in order");
        Assert.That(data[0].GetProperty("after").GetString(), Is.EqualTo("100"));
        for (var i = 0; i < data.Count; i++)
        {
            var lastOp = data[i].GetProperty("data").EnumerateArray().Last().GetProperty("op_id").GetString();
            Assert.That(data[i].GetProperty("next_after").GetString(), Is.EqualTo(lastOp));
            if (i > 0) Assert.That(data[i].GetProperty("after").GetString(), Is.EqualTo(data[i - 1].GetProperty("next_after").GetString()));
            Assert.That(data[i].GetProperty("has_more").GetBoolean(), Is.EqualTo(i < data.Count - 1 || hasMore));
        }
    }

    [Test]
    public void An_op_longer_than_the_line_limit_goes_out_whole_in_a_line_of_its_own()
    {
        var huge = "{\"x\":\"" + new string('y', SyncLineWriter.MaxDataLineBytes * 2) + "\"}";
        var ops = new[]
        {
            OplogEntry.FromText(new OpId(1), OpType.Put, "t", "a", "s", "{}", 1, null),
            OplogEntry.FromText(new OpId(2), OpType.Put, "t", "big", "s", huge, 2, null),
            OplogEntry.FromText(new OpId(3), OpType.Put, "t", "c", "s", "{}", 3, null),
        };

        var lines = Lines(SyncLineWriter.ToBytes(new DataLine(new BucketDataPage("b", OpId.Zero, ops, HasMore: false)), rawData: true));

        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("data").GetProperty("data").GetArrayLength()), Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That(JsonDocument.Parse(lines[1]).RootElement.GetProperty("data").GetProperty("data")[0].GetProperty("data").GetString(), Is.EqualTo(huge));
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("data").GetProperty("has_more").GetBoolean()), Is.EqualTo(new[] { true, true, false }));
    }

    /// <summary>NDJSON split into lines, each with its newline.</summary>
    private static List<string> Lines(byte[] ndjson)
    {
        var text = Encoding.UTF8.GetString(ndjson);
        Assert.That(text, Does.EndWith("\n"));
        return text.Split('\n').SkipLast(1).Select(l => l + "\n").ToList();
    }

    [Test]
    public void An_unknown_op_kind_from_the_store_is_refused_by_name()
    {
        var op = OplogEntry.FromText(new OpId(1), (OpType)9, null, null, null, null, 1, null);

        var error = Assert.Throws<InvalidOperationException>(() => Write(new BucketDataPage("b", OpId.Zero, [op], HasMore: false), rawData: true));
        Assert.That(error!.Message, Does.Contain("op kind 9"));
    }

    private static string Write(BucketDataPage page, bool rawData) =>
        Encoding.UTF8.GetString(SyncLineWriter.ToBytes(new DataLine(page), rawData));
}
