using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Tests.SyncRules;

/// <summary>Data JSON (JSONBig) and bucket-id (plain) number and string formatting.</summary>
[TestFixture]
public sealed class JsonFormattingTests
{
    // Expected values are JavaScript String(x) / JSONBig output.
    [TestCase(1.0, "1.0", "1")]
    [TestCase(100.0, "100.0", "100")]
    [TestCase(-0.0, "0.0", "0")]
    [TestCase(0.1, "0.1", "0.1")]
    [TestCase(1e21, "1e+21", "1e+21")]
    [TestCase(1e20, "100000000000000000000.0", "100000000000000000000")]
    [TestCase(1e-7, "1e-7", "1e-7")]
    [TestCase(1.5e-7, "1.5e-7", "1.5e-7")]
    [TestCase(0.000001, "0.000001", "0.000001")]
    [TestCase(123456789.125, "123456789.125", "123456789.125")]
    [TestCase(2.3333333333333335, "2.3333333333333335", "2.3333333333333335")]
    [TestCase(-1.2345678901234568e-300, "-1.2345678901234568e-300", "-1.2345678901234568e-300")]
    [TestCase(double.NaN, "NaN", "null")]
    [TestCase(double.PositiveInfinity, "Infinity", "null")]
    [TestCase(double.NegativeInfinity, "-Infinity", "null")]
    [TestCase(5e-324, "5e-324", "5e-324")]
    [TestCase(1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308")]
    public void Reals_format_like_javascript(double value, string data, string bucket)
    {
        var sb = new StringBuilder();
        JsonText.AppendDataValue(sb, SqliteValue.FromReal(value));
        Assert.That(sb.ToString(), Is.EqualTo(data));
        sb.Clear();
        JsonText.AppendBucketValue(sb, SqliteValue.FromReal(value));
        Assert.That(sb.ToString(), Is.EqualTo(bucket));
    }

    [TestCase("a\"b", "\"a\\\"b\"")]
    [TestCase("\u0001\u001f", "\"\\u0001\\u001f\"")]
    [TestCase("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"")]
    [TestCase("\u007f\u2028é😀/", "\"\u007f\u2028é😀/\"")]
    public void Strings_escape_like_json_stringify(string value, string expected) =>
        Assert.That(JsonText.QuoteString(value), Is.EqualTo(expected));

    [Test]
    public void Lone_surrogates_are_escaped_and_pairs_kept()
    {
        Assert.That(JsonText.QuoteString("x" + (char)0xD800 + "y"), Is.EqualTo("\"x\\ud800y\""));
        Assert.That(JsonText.QuoteString("x" + (char)0xDC00), Is.EqualTo("\"x\\udc00\""));
        Assert.That(JsonText.QuoteString("\ud83d\ude00"), Is.EqualTo("\"\ud83d\ude00\""));
    }

    [Test]
    public void Object_keys_follow_javascript_order()
    {
        var node = JsonParser.Parse("{\"b\":1,\"10\":2,\"a\":3,\"2\":4,\"b\":5}");
        Assert.That(node.ToJsonBig(), Is.EqualTo("{\"2\":4,\"10\":2,\"b\":5,\"a\":3}"));
    }

    [Test]
    public void Exact_parse_keeps_big_integers_and_plain_parse_rounds_them()
    {
        Assert.That(JsonParser.Parse("[9007199254740993,1.0,1e2]").ToJsonBig(), Is.EqualTo("[9007199254740993,1.0,100.0]"));
        Assert.That(JsonParser.Parse("[9007199254740993,1.0]", plainNumbers: true).ToPlainJson(), Is.EqualTo("[9007199254740992,1]"));
        Assert.That(JsonParser.Parse("[123456789012345678901234567890]").ToJsonBig(), Is.EqualTo("[123456789012345678901234567890]"));
    }

    [TestCase("TRUE")]
    [TestCase("[1,]")]
    [TestCase("{'a':1}")]
    [TestCase("01")]
    [TestCase("1.")]
    [TestCase("\"\\x\"")]
    [TestCase("")]
    public void Invalid_json_is_rejected(string text) => Assert.That(JsonParser.TryParse(text), Is.Null);
}
