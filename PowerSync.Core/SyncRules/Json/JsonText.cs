using System.Globalization;
using System.Text;

namespace PowerSync.Core.SyncRules.Json;

/// <summary>
/// JSON text output matching the official service byte for byte: strings escaped like
/// JavaScript's <c>JSON.stringify</c>, integers as plain digits, and reals either in the JSONBig
/// form used for row data (<c>5.0</c>, NaN/Infinity raw) or the plain form used for bucket ids
/// (<c>5</c>, NaN/Infinity as <c>null</c>).
/// </summary>
internal static class JsonText
{
    /// <summary>Appends a JSON string literal the way <c>JSON.stringify</c> writes it.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        var firstSpecial = IndexOfSpecial(value);
        if (firstSpecial < 0)
        {
            sb.Append(value).Append('"');
            return;
        }

        sb.Append(value, 0, firstSpecial);
        for (var i = firstSpecial; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        AppendUnicodeEscape(sb, c);
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                        {
                            sb.Append(c).Append(value[i + 1]);
                            i++;
                        }
                        else
                        {
                            AppendUnicodeEscape(sb, c);
                        }
                    }
                    else if (char.IsLowSurrogate(c))
                    {
                        AppendUnicodeEscape(sb, c);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Index of the first character that needs escaping or surrogate checks, or -1.</summary>
    private static int IndexOfSpecial(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static void AppendUnicodeEscape(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));

    /// <summary>A quoted JSON string.</summary>
    public static string QuoteString(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendString(sb, value);
        return sb.ToString();
    }

    /// <summary>A REAL in JSONBig's data form: whole values get <c>.0</c>, <c>-0</c> is <c>0.0</c>, NaN/Infinity raw.</summary>
    public static void AppendDataReal(StringBuilder sb, double value)
    {
        var text = JsNumberFormat.Format(value);
        sb.Append(text);
        if (double.IsFinite(value) && text.AsSpan().IndexOfAny('.', 'e') < 0)
        {
            sb.Append(".0");
        }
    }

    /// <summary>A REAL in plain <c>JSON.stringify</c> form (bucket ids): no <c>.0</c>, NaN/Infinity as null.</summary>
    public static void AppendPlainReal(StringBuilder sb, double value)
    {
        if (!double.IsFinite(value))
        {
            sb.Append("null");
            return;
        }

        sb.Append(JsNumberFormat.Format(value));
    }

    /// <summary>Appends a SQLite value as a data-row JSON value (blobs must be filtered by the caller).</summary>
    public static void AppendDataValue(StringBuilder sb, SqliteValue value)
    {
        switch (value.Type)
        {
            case SqliteType.Null: sb.Append("null"); break;
            case SqliteType.Integer: AppendInteger(sb, value); break;
            case SqliteType.Real: AppendDataReal(sb, value.AsReal); break;
            case SqliteType.Text: AppendString(sb, value.AsText); break;
            default: sb.Append("null"); break;
        }
    }

    private static void AppendInteger(StringBuilder sb, SqliteValue value)
    {
        if (value.IsBigInteger)
        {
            sb.Append(value.AsBigInteger.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append(value.AsInteger);
        }
    }

    /// <summary>Appends a SQLite value as a bucket-id parameter.</summary>
    public static void AppendBucketValue(StringBuilder sb, SqliteValue value)
    {
        switch (value.Type)
        {
            case SqliteType.Integer: AppendInteger(sb, value); break;
            case SqliteType.Real: AppendPlainReal(sb, value.AsReal); break;
            case SqliteType.Text: AppendString(sb, value.AsText); break;
            default: sb.Append("null"); break;
        }
    }
}
