using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Sync;

namespace PowerSync.Tests.Client;

/// <summary>Sync line parsing from UTF-8: the data-line fast path and its error reporting.</summary>
[TestFixture]
public sealed class SyncLineParserTests
{
    [Test]
    public void A_data_line_reads_string_and_numeric_ids_object_data_escaped_ids_and_subkeys_and_skips_unknown_keys()
    {
        var line = SyncLineParser.Parse("""
            {"data":{"after":"0","bucket":"b[\"x\"]","extra":{"a":[1,2]},"data":[
              {"checksum":4294967295,"data":"{\"id\":\"t1\",\"d\":\"\u00e9\\n\"}","object_id":"t\u0031","object_type":"test","op":"PUT","op_id":"7","subkey":"k\/\u00e9"},
              {"op_id":8,"op":"PUT","object_type":"test","object_id":"t2","data":{"id":"t2","n":1.5},"checksum":"-1","unknown":[{}]},
              {"checksum":3,"op":"CLEAR","op_id":"9"}],"has_more":true,"next_after":"9"}}
            """);

        var data = (DataLine)line;
        Assert.That(data.Bucket, Is.EqualTo("b[\"x\"]"));
        Assert.That(data.HasMore, Is.True);
        Assert.That(data.Data, Has.Count.EqualTo(3));
        Assert.That(data.Data.Select(Fields), Is.EqualTo(new[]
        {
            (7L, OpKind.Put, (string?)"test", (string?)"t1", (string?)"k/é", (string?)"{\"id\":\"t1\",\"d\":\"é\\n\"}", uint.MaxValue),
            (8L, OpKind.Put, "test", "t2", null, """{"id":"t2","n":1.5}""", uint.MaxValue),
            (9L, OpKind.Clear, null, null, null, null, 3u),
        }));
    }

    [Test]
    public void Each_data_line_keeps_its_ops_text_until_it_is_released_and_a_second_release_does_nothing()
    {
        static string Line(string id) =>
            $$$"""{"data":{"bucket":"b","data":[{"checksum":1,"data":"{\"id\":\"{{{id}}}\"}","object_id":"{{{id}}}","object_type":"test","op":"PUT","op_id":"1","subkey":"s\u002f{{{id}}}"}]}}""";
        var first = (DataLine)SyncLineParser.Parse(Line("first"));
        var second = (DataLine)SyncLineParser.Parse(Line("second"));

        Assert.That(first.Rented, Is.Not.Null.And.Not.SameAs(second.Rented), "each line has a buffer of its own");
        Assert.That(Fields(first.Data[0]), Is.EqualTo((1L, OpKind.Put, (string?)"test", (string?)"first", (string?)"s/first", (string?)"{\"id\":\"first\"}", 1u)),
            "reading the next line left this one's text alone");
        first.Release();
        first.Release();
        // A buffer returned twice would be handed out twice: the next two lines would share it.
        var third = (DataLine)SyncLineParser.Parse(Line("third"));
        var fourth = (DataLine)SyncLineParser.Parse(Line("fourth"));
        Assert.That(third.Rented, Is.Not.SameAs(fourth.Rented));
        Assert.That(Text(third.Data[0].ObjectId), Is.EqualTo("third"));
        Assert.That(Text(second.Data[0].Data), Is.EqualTo("{\"id\":\"second\"}"));
    }

    private static (long, OpKind, string?, string?, string?, string?, uint) Fields(OplogEntry e) =>
        (e.OpId, e.Op, e.ObjectType, Text(e.ObjectId), Text(e.Subkey), Text(e.Data), e.Checksum);

    private static string? Text(Utf8Text utf8) => utf8.IsNull ? null : System.Text.Encoding.UTF8.GetString(utf8.Span);

    [TestCase("""{"data":{"bucket":"b","data":[{"op":"PUT","op_id":"1","object_type":"t","object_id":"x","data":"{}"}]}}""", "'checksum' is missing")]
    [TestCase("""{"data":{"bucket":"b","data":[{"op":"UPSERT","op_id":"1","checksum":1}]}}""", "unknown op 'UPSERT'")]
    [TestCase("""{"data":{"bucket":"b","data":[{"op":"PUT","op_id":"-1","checksum":1}]}}""", "malformed line")]
    [TestCase("""{"data":{"data":[]}}""", "'bucket' is missing")]
    [TestCase("""{"data":{"bucket":"b","data":[{"op":"PUT",""", "malformed line")]
    public void A_malformed_data_line_is_a_protocol_error_that_quotes_the_line(string json, string message)
    {
        var ex = Assert.Throws<PowerSyncClientException>(() => SyncLineParser.Parse(json));

        Assert.That(ex!.Code, Is.EqualTo(ClientErrorCodes.ProtocolError));
        Assert.That(ex.Message, Does.Contain(message).And.Contain("{\"data\":{"));
    }

    [Test]
    public void Control_lines_still_parse_and_unknown_lines_are_kept_as_text()
    {
        Assert.That(SyncLineParser.Parse("""{"checkpoint_complete":{"last_op_id":"12"}}"""), Is.EqualTo(new CheckpointCompleteLine(12)));
        Assert.That(SyncLineParser.Parse("""{"token_expires_in":30}"""), Is.EqualTo(new TokenExpiresInLine(30)));
        Assert.That(SyncLineParser.Parse("""{"something_new":{}}"""), Is.EqualTo(new UnknownLine("""{"something_new":{}}""")));
    }
}
