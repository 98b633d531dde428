using System.Globalization;
using System.Text;

namespace PowerSync.Core.SyncRules.Json;

/// <summary>The kinds of a parsed JSON value.</summary>
internal enum JsonKind : byte
{
    Null,
    False,
    True,
    Integer,
    BigInteger,
    Real,
    String,
    Array,
    Object,
}

/// <summary>
/// A parsed JSON value with the number model of the official evaluator's JSONBig parser: integer
/// literals stay exact (INTEGER, or digits kept as text beyond int64), other numbers are doubles.
/// Objects keep JavaScript key order (array-index keys ascending first, then insertion order).
/// </summary>
internal sealed class JsonNode
{
    public static readonly JsonNode NullNode = new(JsonKind.Null);
    public static readonly JsonNode TrueNode = new(JsonKind.True);
    public static readonly JsonNode FalseNode = new(JsonKind.False);

    private JsonNode(JsonKind kind) => Kind = kind;

    public JsonKind Kind { get; private init; }

    public long Integer { get; private init; }

    public double Real { get; private init; }

    /// <summary>String value, or the exact digits of a <see cref="JsonKind.BigInteger"/>.</summary>
    public string? Text { get; private init; }

    public IReadOnlyList<JsonNode>? Items { get; private init; }

    public IReadOnlyList<KeyValuePair<string, JsonNode>>? Properties { get; private init; }

    public static JsonNode FromInteger(long value) => new(JsonKind.Integer) { Integer = value };

    public static JsonNode FromBigInteger(string digits) => new(JsonKind.BigInteger) { Text = digits };

    public static JsonNode FromReal(double value) => new(JsonKind.Real) { Real = value };

    public static JsonNode FromString(string value) => new(JsonKind.String) { Text = value };

    public static JsonNode FromArray(IReadOnlyList<JsonNode> items) => new(JsonKind.Array) { Items = items };

    /// <summary>An object from properties in source order; duplicates keep the first position and the last value.</summary>
    public static JsonNode FromObject(List<KeyValuePair<string, JsonNode>> properties)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<KeyValuePair<string, JsonNode>>(properties.Count);
        foreach (var p in properties)
        {
            if (index.TryGetValue(p.Key, out var at))
            {
                unique[at] = p;
            }
            else
            {
                index[p.Key] = unique.Count;
                unique.Add(p);
            }
        }

        // JavaScript orders integer-index keys first, ascending.
        var indexKeys = unique.Where(p => IsArrayIndex(p.Key)).OrderBy(p => uint.Parse(p.Key, CultureInfo.InvariantCulture)).ToList();
        if (indexKeys.Count > 0)
        {
            indexKeys.AddRange(unique.Where(p => !IsArrayIndex(p.Key)));
            unique = indexKeys;
        }

        return new JsonNode(JsonKind.Object) { Properties = unique };
    }

    /// <summary>A canonical array index (0 .. 2^32-2): JavaScript puts such object keys first, in ascending order.</summary>
    internal static bool IsArrayIndex(string key)
    {
        if (key.Length == 0 || key.Length > 10 || (key.Length > 1 && key[0] == '0'))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return ulong.Parse(key, CultureInfo.InvariantCulture) < uint.MaxValue;
    }

    /// <summary>The value of a property, or null when absent (or not an object/array).</summary>
    public JsonNode? Get(string key)
    {
        if (Properties is not null)
        {
            for (var i = Properties.Count - 1; i >= 0; i--)
            {
                if (string.Equals(Properties[i].Key, key, StringComparison.Ordinal))
                {
                    return Properties[i].Value;
                }
            }

            return null;
        }

        // JavaScript property access on arrays and strings: indexes and `length` (a JS number, so REAL).
        if (Items is not null)
        {
            if (key == "length")
            {
                return FromReal(Items.Count);
            }

            return IsArrayIndex(key) && long.Parse(key, CultureInfo.InvariantCulture) is var i && i < Items.Count ? Items[(int)i] : null;
        }

        if (Kind == JsonKind.String)
        {
            if (key == "length")
            {
                return FromReal(Text!.Length);
            }

            return IsArrayIndex(key) && long.Parse(key, CultureInfo.InvariantCulture) is var i && i < Text!.Length ? FromString(Text[(int)i].ToString()) : null;
        }

        return null;
    }

    /// <summary>JSONBig serialization (whole reals get <c>.0</c>).</summary>
    public string ToJsonBig()
    {
        var sb = new StringBuilder();
        Write(sb, dataReals: true);
        return sb.ToString();
    }

    /// <summary>Plain <c>JSON.stringify</c> serialization (reals as JavaScript numbers, NaN as null).</summary>
    public string ToPlainJson()
    {
        var sb = new StringBuilder();
        Write(sb, dataReals: false);
        return sb.ToString();
    }

    public void Write(StringBuilder sb, bool dataReals)
    {
        switch (Kind)
        {
            case JsonKind.Null: sb.Append("null"); break;
            case JsonKind.True: sb.Append("true"); break;
            case JsonKind.False: sb.Append("false"); break;
            case JsonKind.Integer: sb.Append(Integer.ToString(CultureInfo.InvariantCulture)); break;
            case JsonKind.BigInteger: sb.Append(Text); break;
            case JsonKind.Real:
                if (dataReals)
                {
                    JsonText.AppendDataReal(sb, Real);
                }
                else
                {
                    JsonText.AppendPlainReal(sb, Real);
                }

                break;
            case JsonKind.String: JsonText.AppendString(sb, Text!); break;
            case JsonKind.Array:
                sb.Append('[');
                for (var i = 0; i < Items!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Items[i].Write(sb, dataReals);
                }

                sb.Append(']');
                break;
            default:
                sb.Append('{');
                for (var i = 0; i < Properties!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    JsonText.AppendString(sb, Properties[i].Key);
                    sb.Append(':');
                    Properties[i].Value.Write(sb, dataReals);
                }

                sb.Append('}');
                break;
        }
    }
}
