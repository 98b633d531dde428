using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

/// <summary>Value-mapping rules that need no database: number and string JSON, date/time text, structures, bytea.</summary>
public sealed class ValueMappingUnitTests
{
    [TestCase(314.0, "314")]
    [TestCase(3.14, "3.14")]
    [TestCase(-0.5, "-0.5")]
    [TestCase(1e21, "1e+21")]
    [TestCase(1e20, "100000000000000000000")]
    [TestCase(1e-7, "1e-7")]
    [TestCase(1.5e-7, "1.5e-7")]
    [TestCase(0.000001, "0.000001")]
    [TestCase(123456789012345680000.0, "123456789012345680000")]
    [TestCase(1.7976931348623157e308, "1.7976931348623157e+308")]
    [TestCase(5e-324, "5e-324")]
    [TestCase(-0.0, "0")]
    public void Reals_are_formatted_like_javascript_numbers(double value, string expected)
    {
        Assert.That(JsCompatibleJson.FormatJsNumber(value), Is.EqualTo(expected));
    }

    [TestCase(2.0, "2.0")]
    [TestCase(1e21, "1e+21")]
    [TestCase(2.5, "2.5")]
    [TestCase(double.NaN, "NaN")]
    public void Integral_reals_in_json_get_a_point_zero(double value, string expected)
    {
        var json = new StringBuilder();
        JsCompatibleJson.WriteReal(json, value);
        Assert.That(json.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void Json_strings_are_escaped_like_json_stringify()
    {
        var json = new StringBuilder();
        JsCompatibleJson.WriteString(json, "a\"b\\c\n\t\u0001é😀\ud800x");
        Assert.That(json.ToString(), Is.EqualTo("\"a\\\"b\\\\c\\n\\t\\u0001é😀\\ud800x\""));
    }

    [TestCase("2023-03-06 15:47:00+02", "2023-03-06 13:47:00Z")]
    [TestCase("2023-03-06 01:00:00.5+05:30", "2023-03-05 19:30:00.5Z")]
    [TestCase("0001-01-01 00:30:00+01", "0000-12-31 23:30:00Z")]
    [TestCase("9999-12-31 23:00:00-02", "+010000-01-01 01:00:00Z")]
    [TestCase("2024-02-29 23:59:59-00", "2024-02-29 23:59:59Z")]
    [TestCase("0001-01-01 00:00:00+00 BC", null)]
    [TestCase("2023-03-06 12:00:00+00:53:28", null)]
    public void Timestamptz_is_converted_to_utc(string text, string? expected)
    {
        Assert.That(PostgresDateTimeText.TimestampTz(text, ValueMappingOptions.Legacy), Is.EqualTo(expected));
    }

    /// <summary>The hand parser for Postgres's usual timestamp shape agrees with the general (regex) path on every text, valid or not.</summary>
    [Test]
    public void Timestamps_in_the_common_form_map_exactly_as_the_general_path_maps_them()
    {
        var random = new Random(20261201);
        string Two(int max) => random.Next(0, max).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
        var offsets = new[] { "", "+00", "-00", "+02", "-11", "+05:30", "-0330", "+14:00", "+05:", "+05:30:00", "+5", "+05:3", "Z", " BC", "+02 BC", ":" };
        var fractions = new[] { "", ".5", ".123", ".123456", ".1234567", ".000000001", "." };
        var options = new[]
        {
            ValueMappingOptions.Legacy, ValueMappingOptions.SyncStreams,
            new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 0),
            new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 3),
            new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 9),
        };
        var years = new[] { 0, 1, 1969, 1970, 2000, 2024, 2100, 9999 };
        var checkedTexts = 0;
        for (var i = 0; i < 4000; i++)
        {
            var year = i % 3 == 0 ? years[random.Next(years.Length)] : random.Next(0, 10000);
            var text = $"{year:D4}-{Two(14)}-{Two(33)} {Two(26)}:{Two(61)}:{Two(61)}{fractions[random.Next(fractions.Length)]}{offsets[random.Next(offsets.Length)]}";
            if (i % 50 == 0) text = text.Replace(' ', 'T');
            foreach (var option in options)
            {
                Assert.That(PostgresDateTimeText.TimestampTz(text, option), Is.EqualTo(PostgresDateTimeText.TimestampTzGeneral(text, option)), $"timestamptz '{text}'");
                Assert.That(PostgresDateTimeText.Timestamp(text, option), Is.EqualTo(PostgresDateTimeText.TimestampGeneral(text, option)), $"timestamp '{text}'");
            }
            checkedTexts++;
        }
        Assert.That(checkedTexts, Is.EqualTo(4000));
    }

    [Test]
    public void Timestamp_with_nine_digit_precision_keeps_the_six_postgres_has()
    {
        var options = new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 9);
        Assert.That(PostgresDateTimeText.Timestamp("2023-03-06 15:47:12.4", options), Is.EqualTo("2023-03-06T15:47:12.400000"));
        Assert.That(PostgresDateTimeText.Timestamp("infinity", options), Is.EqualTo("9999-12-31T23:59:59.000000"));
        Assert.That(PostgresDateTimeText.Time("not a time", options), Is.Null);
    }

    [Test]
    public void Invalid_precision_is_rejected_with_the_allowed_values()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ValueMappingOptions(timestampMaxPrecision: 2));
        Assert.That(ex!.Message, Does.Contain("milliseconds (3)"));
    }

    [Test]
    public void Array_text_with_bounds_quotes_and_escapes_is_split_into_elements()
    {
        var elements = PostgresTextStructure.ParseArray("[0:1]={\"a\\\\b\",\"NULL\",NULL}", ',');
        Assert.That(elements, Is.EqualTo(new object?[] { "a\\b", "NULL", null }));
    }

    [TestCase("{1,2")]
    [TestCase("{1,2}x")]
    [TestCase("1,2")]
    public void Malformed_array_text_is_a_format_error(string text)
    {
        Assert.Throws<FormatException>(() => PostgresTextStructure.ParseArray(text, ','));
    }

    [Test]
    public void Composite_text_unescapes_doubled_quotes_and_reads_empty_fields_as_null()
    {
        Assert.That(PostgresTextStructure.ParseComposite("(t,\"a\"\"b\",,)"), Is.EqualTo(new string?[] { "t", "a\"b", null, null }));
    }

    [Test]
    public void Bytea_decodes_hex_and_escape_formats()
    {
        Assert.That(PostgresBytea.Decode("\\x0aff"), Is.EqualTo(new byte[] { 0x0a, 0xff }));
        Assert.That(PostgresBytea.Decode("ab\\\\\\001"), Is.EqualTo(new byte[] { (byte)'a', (byte)'b', (byte)'\\', 1 }));
        Assert.Throws<FormatException>(() => PostgresBytea.Decode("\\x0"));
    }

    [Test]
    public void A_malformed_integer_is_a_decoding_error_with_a_code()
    {
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(Npgsql.NpgsqlDataSource.Create("Host=unused")), ValueMappingOptions.Legacy);
        var ex = Assert.Throws<PowerSyncException>(() => mapper.Map("12x", 23));
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.ValueDecodingFailed));
        Assert.That(mapper.Map(null, 23), Is.EqualTo(SqliteValue.Null));
    }
}
