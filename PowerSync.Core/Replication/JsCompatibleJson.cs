using System.Globalization;
using System.Text;

namespace PowerSync.Core.Replication;

/// <summary>
/// Writes JSON text the way the official service renders it (JavaScript's <c>JSON.stringify</c>
/// string escaping and number formatting, plus its rule that an integral REAL gets <c>.0</c>).
/// Arrays and objects produced from Postgres values must match byte for byte, since they become
/// row data and bucket parameters.
/// </summary>
internal static class JsCompatibleJson
{
    /// <summary>Appends a JSON string literal, escaped like <c>JSON.stringify</c>.</summary>
    public static void WriteString(StringBuilder output, string value)
    {
        output.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                default:
                    if (c < 0x20 || IsLoneSurrogate(value, i))
                    {
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        output.Append(c);
                        if (char.IsHighSurrogate(c)) output.Append(value[++i]);
                    }
                    break;
            }
        }
        output.Append('"');
    }

    private static bool IsLoneSurrogate(string value, int index)
    {
        var c = value[index];
        if (char.IsHighSurrogate(c)) return index + 1 >= value.Length || !char.IsLowSurrogate(value[index + 1]);
        return char.IsLowSurrogate(c);
    }

    /// <summary>Appends a REAL the way the service's JSON writer does: JavaScript number text, <c>.0</c> when integral.</summary>
    public static void WriteReal(StringBuilder output, double value)
    {
        var text = FormatJsNumber(value);
        output.Append(text);
        if (IsIntegerText(text)) output.Append(".0");
    }

    private static bool IsIntegerText(string text)
    {
        var start = text.Length > 0 && text[0] == '-' ? 1 : 0;
        if (start == text.Length) return false;
        for (var i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i])) return false;
        }
        return true;
    }

    /// <summary>JavaScript's <c>Number.prototype.toString()</c> (shortest round-trip digits, JS exponent rules).</summary>
    public static string FormatJsNumber(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return "0";

        // .NET's "R" gives the shortest round-trip digits; re-layout them by the ECMAScript rules.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot >= 0 ? dot : body.Length;
        var digits = dot >= 0 ? string.Concat(body.AsSpan(0, dot), body.AsSpan(dot + 1)) : body;
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
        digits = digits[leadingZeros..].TrimEnd('0');
        if (digits.Length == 0) return "0";
        var n = integerDigits - leadingZeros + exponent; // value = 0.digits * 10^n
        var k = digits.Length;

        var result = new StringBuilder(k + 8);
        if (negative) result.Append('-');
        if (k <= n && n <= 21)
        {
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits.AsSpan(0, n)).Append('.').Append(digits.AsSpan(n));
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var exp = n - 1;
            result.Append(digits[0]);
            if (k > 1) result.Append('.').Append(digits.AsSpan(1));
            result.Append('e').Append(exp >= 0 ? '+' : '-').Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        }
        return result.ToString();
    }
}
