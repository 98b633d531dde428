using System.Globalization;
using System.Text;

namespace PowerSync.Core.Replication;

/// <summary>
/// Maps one Postgres value, in its text form (pgoutput's text format, or a query result read as
/// text), to the <see cref="SqliteValue"/> the official PowerSync service produces for it. The
/// replication stream and the snapshot reader use the same instance, so both paths agree.
/// User-defined types must have been loaded into the <see cref="PostgresTypeCatalog"/> first.
/// </summary>
internal sealed class PostgresValueMapper
{
    public PostgresValueMapper(PostgresTypeCatalog catalog, ValueMappingOptions options)
    {
        Catalog = catalog;
        Options = options;
    }

    /// <summary>The catalog user-defined types are looked up in.</summary>
    public PostgresTypeCatalog Catalog { get; }

    /// <summary>The compatibility options in effect.</summary>
    public ValueMappingOptions Options { get; }

    /// <summary>Maps a value; null text is SQL NULL.</summary>
    /// <exception cref="PowerSyncException">The text is not valid for its type (e.g. a malformed number).</exception>
    public SqliteValue Map(string? text, uint typeOid)
    {
        if (text is null) return SqliteValue.Null;
        try
        {
            return Options.CustomPostgresTypes ? MapCustom(text, typeOid) : MapBuiltin(text, typeOid);
        }
        catch (FormatException ex)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.ValueDecodingFailed,
                $"Could not decode a value of type OID {typeOid} from its text form: {ex.Message}",
                ex);
        }
    }

    private SqliteValue MapCustom(string text, uint typeOid)
    {
        var info = Catalog.Lookup(typeOid);
        switch (info.Kind)
        {
            case PostgresTypeKind.Domain:
                return MapCustom(text, info.InnerOid);
            case PostgresTypeKind.Array or PostgresTypeKind.Composite or PostgresTypeKind.Range or PostgresTypeKind.Multirange:
                try
                {
                    var json = new StringBuilder(text.Length + 8);
                    WriteCustom(json, text, info);
                    return SqliteValue.FromText(json.ToString());
                }
                catch (FormatException)
                {
                    // As the official service: a structure it cannot parse is synced as its raw text.
                    return SqliteValue.FromText(text);
                }
            default:
                return MapBuiltin(text, typeOid);
        }
    }

    /// <summary>Built-in decoding: what the service does for every value without <c>custom_postgres_types</c>.</summary>
    private SqliteValue MapBuiltin(string text, uint typeOid)
    {
        switch (typeOid)
        {
            case PostgresTypeOids.Text or PostgresTypeOids.Uuid or PostgresTypeOids.Varchar:
            case PostgresTypeOids.Json or PostgresTypeOids.Jsonb:
                return SqliteValue.FromText(text);
            case PostgresTypeOids.Bool:
                return SqliteValue.FromBoolean(text == "t");
            case PostgresTypeOids.Bytea:
                return SqliteValue.FromBlob(PostgresBytea.Decode(text));
            case PostgresTypeOids.Int2 or PostgresTypeOids.Int4 or PostgresTypeOids.Int8 or PostgresTypeOids.Oid:
                return SqliteValue.FromInteger(ParseInteger(text));
            case PostgresTypeOids.Float4 or PostgresTypeOids.Float8:
                return SqliteValue.FromReal(ParseReal(text));
            case PostgresTypeOids.Date:
                return SqliteValue.FromText(PostgresDateTimeText.Date(text));
            case PostgresTypeOids.Time:
                return SqliteValue.FromText(PostgresDateTimeText.Time(text, Options));
            case PostgresTypeOids.Timestamp:
                return SqliteValue.FromText(PostgresDateTimeText.Timestamp(text, Options));
            case PostgresTypeOids.TimestampTz:
                return SqliteValue.FromText(PostgresDateTimeText.TimestampTz(text, Options));
            case PostgresTypeOids.PgLsn:
                return SqliteValue.FromText(ComparableLsn(text));
        }

        if (PostgresTypeOids.BuiltinArrayElements.TryGetValue(typeOid, out var element))
        {
            // Built-in arrays are always split on ',' here (box[] too, as the service does without custom types).
            var json = new StringBuilder(text.Length + 8);
            WriteArray(json, PostgresTextStructure.ParseArray(text, ','), element, custom: false);
            return SqliteValue.FromText(json.ToString());
        }

        return SqliteValue.FromText(text); // numeric, interval, enums, inet, ...: the text as is
    }

    private void WriteCustom(StringBuilder json, string text, PostgresTypeInfo info)
    {
        switch (info.Kind)
        {
            case PostgresTypeKind.Array:
                WriteArray(json, PostgresTextStructure.ParseArray(text, info.Delimiter), ElementType(info.InnerOid), custom: true);
                break;
            case PostgresTypeKind.Composite:
                WriteComposite(json, text, info);
                break;
            case PostgresTypeKind.Range:
                WriteRange(json, PostgresTextStructure.ParseRange(text), info.InnerOid);
                break;
            case PostgresTypeKind.Multirange:
                json.Append('[');
                var first = true;
                foreach (var range in PostgresTextStructure.ParseMultirange(text))
                {
                    if (!first) json.Append(',');
                    first = false;
                    WriteRange(json, range, info.InnerOid);
                }
                json.Append(']');
                break;
            default:
                throw new InvalidOperationException($"Type {info.Oid} is not structured.");
        }
    }

    /// <summary>Postgres arrays are multi-dimensional: an array of a domain over an array is an array of the innermost element.</summary>
    private uint ElementType(uint oid)
    {
        while (Catalog.Lookup(oid) is { Kind: PostgresTypeKind.Domain or PostgresTypeKind.Array } inner) oid = inner.InnerOid;
        return oid;
    }

    private void WriteArray(StringBuilder json, List<object?> elements, uint elementOid, bool custom)
    {
        json.Append('[');
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0) json.Append(',');
            switch (elements[i])
            {
                case List<object?> nested:
                    WriteArray(json, nested, elementOid, custom);
                    break;
                case string text:
                    if (!WriteElement(json, text, elementOid, custom)) json.Append("null");
                    break;
                default:
                    json.Append("null");
                    break;
            }
        }
        json.Append(']');
    }

    private void WriteComposite(StringBuilder json, string text, PostgresTypeInfo info)
    {
        var fields = PostgresTextStructure.ParseComposite(text);
        json.Append('{');
        var first = true;
        for (var i = 0; i < fields.Count && i < info.Members.Length; i++)
        {
            var member = info.Members[i];
            var mark = json.Length;
            if (!first) json.Append(',');
            JsCompatibleJson.WriteString(json, member.Name);
            json.Append(':');
            if (fields[i] is not { } field) json.Append("null");
            else if (!WriteElement(json, field, member.TypeOid, custom: true)) json.Length = mark; // no JSON form (bytea): key left out
            if (json.Length != mark) first = false;
        }
        json.Append('}');
    }

    private void WriteRange(StringBuilder json, RangeText range, uint subtype)
    {
        if (range.IsEmpty)
        {
            JsCompatibleJson.WriteString(json, "empty");
            return;
        }
        json.Append("{\"lower\":");
        WriteBound(range.Lower);
        json.Append(",\"upper\":");
        WriteBound(range.Upper);
        json.Append(",\"lower_exclusive\":").Append(range.LowerExclusive ? '1' : '0');
        json.Append(",\"upper_exclusive\":").Append(range.UpperExclusive ? '1' : '0');
        json.Append('}');

        void WriteBound(string? bound)
        {
            if (bound is null || !WriteElement(json, bound, subtype, custom: true)) json.Append("null");
        }
    }

    /// <summary>Writes one element's JSON; false when the value has no JSON form (bytea), writing nothing.</summary>
    private bool WriteElement(StringBuilder json, string text, uint typeOid, bool custom)
    {
        if (custom)
        {
            var info = Catalog.Lookup(typeOid);
            switch (info.Kind)
            {
                case PostgresTypeKind.Domain:
                    return WriteElement(json, text, info.InnerOid, custom);
                case PostgresTypeKind.Array or PostgresTypeKind.Composite or PostgresTypeKind.Range or PostgresTypeKind.Multirange:
                    WriteCustom(json, text, info);
                    return true;
            }
        }

        switch (typeOid)
        {
            case PostgresTypeOids.Bool:
                json.Append(text == "t" ? '1' : '0');
                return true;
            case PostgresTypeOids.Bytea:
                return false;
            case PostgresTypeOids.Int2 or PostgresTypeOids.Int4 or PostgresTypeOids.Int8 or PostgresTypeOids.Oid:
                json.Append(ParseInteger(text).ToString(CultureInfo.InvariantCulture));
                return true;
            case PostgresTypeOids.Float4 or PostgresTypeOids.Float8:
                JsCompatibleJson.WriteReal(json, ParseReal(text));
                return true;
            case PostgresTypeOids.Json or PostgresTypeOids.Jsonb:
                json.Append(text);
                return true;
        }

        var value = MapBuiltin(text, typeOid);
        if (value.IsNull) json.Append("null");
        else JsCompatibleJson.WriteString(json, value.AsText);
        return true;
    }

    private static long ParseInteger(string text) =>
        long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double ParseReal(string text) =>
        double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary><c>16/B374D848</c> to <c>00000016/B374D848</c>, as the service compares LSNs as text.</summary>
    private static string ComparableLsn(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return text;
        return text[..slash].PadLeft(8, '0') + "/" + text[(slash + 1)..].PadLeft(8, '0');
    }
}
