using System.Text;
using System.Text.RegularExpressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>One scalar function: its arity and implementation.</summary>
internal sealed record SqlFunction(string Name, int MinArgs, int MaxArgs, Func<SqliteValue[], SqliteValue> Call);

/// <summary>The scalar functions of sync rules (editions 1 and 2), with the official evaluator's semantics.</summary>
internal sealed partial class SqlFunctions
{
    private readonly Dictionary<string, SqlFunction> _functions = new(StringComparer.Ordinal);

    public SqlFunctions(bool fixedJsonExtract)
    {
        FixedJsonExtract = fixedJsonExtract;
        Add("upper", 1, 1, a => Text(a[0], JsCaseMapping.ToUpper));
        Add("lower", 1, 1, a => Text(a[0], JsCaseMapping.ToLower));
        Add("substring", 2, 3, a => Substring(a[0], a[1], a.Length > 2 && !a[2].IsUndefined ? a[2] : (SqliteValue?)null)); // an undefined length is no length
        Add("hex", 1, 1, a => SqliteValue.FromText(SqlValueSemantics.ToBlob(a[0]) is { } b ? Convert.ToHexString(b) : string.Empty));
        Add("length", 1, 1, Length);
        Add("base64", 1, 1, a => SqliteValue.FromText(SqlValueSemantics.ToBlob(a[0]) is { } b ? Convert.ToBase64String(b) : string.Empty));
        Add("uuid_blob", 1, 1, a => UuidBlob(a[0]));
        Add("typeof", 1, 1, a => SqliteValue.FromText(SqlValueSemantics.TypeOf(a[0])));
        Add("ifnull", 2, 2, a => a[0].IsNull ? a[1] : a[0]);
        Add("iif", 3, 3, a => SqlValueSemantics.IsTrue(a[0]) ? a[1] : a[2]);
        Add("instr", 2, 2, a => Instr(a[0], a[1]));
        Add("json_extract", 2, 2, a => JsonExtract(a[0], a[1], "json_extract"));
        Add("json_array_length", 1, 2, JsonArrayLength);
        Add("json_valid", 1, 1, a => SqlValueSemantics.Bool(SqlValueSemantics.ToText(a[0]) is { } t && JsonParser.TryParse(t) is not null));
        Add("json_keys", 1, 1, a => JsonKeys(a[0]));
        Add("unixepoch", 1, 3, a => DateFunctions.UnixEpoch(a));
        Add("datetime", 1, 3, a => DateFunctions.DateTime(a));
        Add("st_asgeojson", 1, 1, a => GeometryFunctions.AsGeoJson(a[0]));
        Add("st_astext", 1, 1, a => GeometryFunctions.AsText(a[0]));
        Add("st_x", 1, 1, a => GeometryFunctions.X(a[0]));
        Add("st_y", 1, 1, a => GeometryFunctions.Y(a[0]));
    }

    public bool FixedJsonExtract { get; }

    private void Add(string name, int min, int max, Func<SqliteValue[], SqliteValue> call) => _functions[name] = new(name, min, max, call);

    public SqlFunction? Find(string name) => _functions.GetValueOrDefault(name);

    private static SqliteValue Text(SqliteValue value, Func<string, string> map) =>
        SqlValueSemantics.ToText(value) is { } t ? SqliteValue.FromText(map(t)) : SqliteValue.Null;

    private static SqliteValue Length(SqliteValue[] a) => a[0].Type switch
    {
        SqliteType.Null => SqliteValue.Null,
        SqliteType.Blob => SqliteValue.FromInteger(a[0].AsBlob.Length),
        _ => SqliteValue.FromInteger(SqlValueSemantics.ToText(a[0])!.Length),
    };

    private static SqliteValue Substring(SqliteValue value, SqliteValue start, SqliteValue? length)
    {
        var text = SqlValueSemantics.ToText(value);
        if (text is null)
        {
            return SqliteValue.Null;
        }

        var startIndex = SqlValueSemantics.CastInteger(start);
        if (startIndex.IsNull || (length is { IsNull: true }))
        {
            return SqliteValue.Null;
        }

        double realLength = length is { } l ? SqlValueSemantics.ToDouble(SqlValueSemantics.CastInteger(l)) : text.Length + 1;
        double realStart;
        var s = SqlValueSemantics.ToDouble(startIndex);
        if (s < 0)
        {
            realStart = Math.Max(0, text.Length + s);
        }
        else if (s == 0)
        {
            realStart = 0;
            realLength -= 1;
        }
        else
        {
            realStart = s - 1;
        }

        return SqliteValue.FromText(realLength < 0
            ? JsSubstring(text, realStart + realLength, realStart)
            : JsSubstring(text, realStart, realStart + realLength));
    }

    /// <summary>JavaScript <c>String.prototype.substring</c>: clamps both ends and swaps them when reversed.</summary>
    private static string JsSubstring(string text, double from, double to)
    {
        var a = (int)Math.Min(Math.Max(double.IsNaN(from) ? 0 : from, 0), text.Length);
        var b = (int)Math.Min(Math.Max(double.IsNaN(to) ? 0 : to, 0), text.Length);
        return a <= b ? text[a..b] : text[b..a];
    }

    [GeneratedRegex("^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UuidPattern();

    private static SqliteValue UuidBlob(SqliteValue value)
    {
        var text = SqlValueSemantics.ToText(value);
        if (text is null)
        {
            return SqliteValue.Null;
        }

        if (!UuidPattern().IsMatch(text))
        {
            throw new SqlEvaluationException("Cannot call uuid_blob on a non UUID value");
        }

        return SqliteValue.FromBlob(Convert.FromHexString(text.Replace("-", string.Empty, StringComparison.Ordinal)));
    }

    private static SqliteValue Instr(SqliteValue x, SqliteValue y)
    {
        if (x.IsNull || y.IsNull)
        {
            return SqliteValue.Null;
        }

        if (x.Type == SqliteType.Blob && y.Type == SqliteType.Blob)
        {
            var pos = x.AsBlob.AsSpan().IndexOf(y.AsBlob);
            return SqliteValue.FromInteger(pos < 0 ? 0 : pos + 1);
        }

        var p = SqlValueSemantics.ToText(x)!.IndexOf(SqlValueSemantics.ToText(y)!, StringComparison.Ordinal);
        return SqliteValue.FromInteger(p < 0 ? 0 : p + 1);
    }

    private static JsonNode ParseJsonOrThrow(string text) =>
        JsonParser.TryParse(text) ?? throw new SqlEvaluationException($"Invalid JSON: {(text.Length > 80 ? text[..80] + "..." : text)}");

    /// <summary><c>json_extract</c>, <c>-&gt;</c> and <c>-&gt;&gt;</c> with the edition's path and null rules.</summary>
    public SqliteValue JsonExtract(SqliteValue source, SqliteValue path, string op)
    {
        var text = SqlValueSemantics.ToText(source);
        if (text is null || path.IsNull)
        {
            return SqliteValue.Null;
        }

        return JsonExtractFromNode(ParseJsonOrThrow(text), path, op, FixedJsonExtract);
    }

    public static SqliteValue JsonExtractFromNode(JsonNode? node, SqliteValue path, string op, bool fixedJson)
    {
        var pathText = SqlValueSemantics.ToText(path);
        if (node is null || node.Kind == JsonKind.Null || pathText is null)
        {
            return SqliteValue.Null; // a JSON null document gives NULL in every edition (upstream checks it first)
        }

        var proper = pathText.StartsWith('$');
        if (op == "json_extract" && !proper)
        {
            throw new SqlEvaluationException("JSON path must start with $.");
        }

        string[] components;
        if (fixedJson && !proper)
        {
            components = [pathText];
        }
        else
        {
            components = pathText.Split('.');
            if (proper)
            {
                components = components[1..];
            }
        }

        JsonNode? value = node;
        foreach (var c in components)
        {
            if (value is null || value.Kind == JsonKind.Null)
            {
                break;
            }

            value = value.Get(c);
        }

        if (op == "->")
        {
            if (value is null)
            {
                return SqliteValue.Null;
            }

            return !fixedJson && value.Kind == JsonKind.Null ? SqliteValue.Null : SqliteValue.FromText(value.ToJsonBig());
        }

        return SqlValueSemantics.FromJson(value, fixedJson);
    }

    private SqliteValue JsonArrayLength(SqliteValue[] a)
    {
        var json = a[0];
        if (a.Length > 1 && !a[1].IsNull)
        {
            json = JsonExtract(json, a[1], "json_extract");
        }

        var text = SqlValueSemantics.ToText(json);
        if (text is null)
        {
            return SqliteValue.Null;
        }

        var node = ParseJsonOrThrow(text);
        return SqliteValue.FromInteger(node.Kind == JsonKind.Array ? node.Items!.Count : 0);
    }

    private static SqliteValue JsonKeys(SqliteValue value)
    {
        var text = SqlValueSemantics.ToText(value);
        if (text is null)
        {
            return SqliteValue.Null;
        }

        var node = ParseJsonOrThrow(text);
        if (node.Kind == JsonKind.Array)
        {
            throw new SqlEvaluationException("Cannot call json_keys on an array");
        }

        if (node.Kind != JsonKind.Object)
        {
            throw new SqlEvaluationException("Cannot call json_keys on a scalar");
        }

        var sb = new StringBuilder("[");
        for (var i = 0; i < node.Properties!.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            JsonText.AppendString(sb, node.Properties[i].Key);
        }

        return SqliteValue.FromText(sb.Append(']').ToString());
    }
}
