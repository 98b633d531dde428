using System.Globalization;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>CAST semantics of the official evaluator (SQLite-like prefix parsing, JavaScript parseFloat).</summary>
internal static partial class SqlValueSemantics
{
    /// <summary>CAST(x AS numeric): text parsed by the SQLite-like prefix rule; otherwise unchanged.</summary>
    public static SqliteValue CastNumeric(SqliteValue value)
    {
        switch (value.Type)
        {
            case SqliteType.Null:
            case SqliteType.Integer:
            case SqliteType.Real:
                return value;
            default:
                return ParseNumericPrefix(ToText(value)!);
        }
    }

    /// <summary>
    /// The start of a number in <paramref name="text"/>: past leading whitespace, where its sign (or first
    /// digit) is, whether it is negative, and where its digits start.
    /// </summary>
    private static (int Start, bool Negative, int DigitsStart) ReadSign(string text)
    {
        var i = 0;
        while (i < text.Length && IsJsWhitespace(text[i]))
        {
            i++;
        }

        var start = i;
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        return (start, negative, i);
    }

    /// <summary>The index of the first character at or after <paramref name="i"/> that is not an ASCII digit.</summary>
    private static int SkipDigits(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    private static SqliteValue ParseNumericPrefix(string text)
    {
        var (start, negative, digitsStart) = ReadSign(text);
        var i = SkipDigits(text, digitsStart);
        var intDigits = i - digitsStart;
        var isReal = false;
        if (intDigits > 0)
        {
            if (i < text.Length && text[i] == '.')
            {
                isReal = true;
                i = SkipDigits(text, i + 1);
            }
        }
        else if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isReal = true;
            i = SkipDigits(text, i + 1);
        }
        else
        {
            return SqliteValue.FromInteger(0);
        }

        var afterExponent = SkipExponent(text, i);
        if (afterExponent != i)
        {
            isReal = true;
            i = afterExponent;
        }

        if (isReal)
        {
            return SqliteValue.FromReal(double.Parse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return ParseIntegerDigits(text.AsSpan(digitsStart, intDigits), negative);
    }

    private static SqliteValue ParseIntegerDigits(ReadOnlySpan<char> digits, bool negative)
    {
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
        {
            return SqliteValue.FromInteger(negative ? -l : l);
        }

        // Beyond int64: exact, as the official evaluator's BigInt.
        var big = System.Numerics.BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return SqliteValue.FromInteger(negative ? -big : big);
    }

    /// <summary>CAST(x AS integer): text by leading digits, reals floored (JavaScript Math.floor).</summary>
    public static SqliteValue CastInteger(SqliteValue value)
    {
        switch (value.Type)
        {
            case SqliteType.Null:
            case SqliteType.Integer:
                return value;
            case SqliteType.Real:
                return IntegerFromDouble(Math.Floor(value.AsReal));
            default:
                {
                    var text = ToText(value)!;
                    var (_, negative, start) = ReadSign(text);
                    var i = SkipDigits(text, start);
                    if (i == start)
                    {
                        return SqliteValue.FromInteger(0);
                    }

                    return ParseIntegerDigits(text.AsSpan(start, i - start), negative);
                }
        }
    }

    /// <summary>CAST(x AS real): text via JavaScript parseFloat (invalid gives 0.0).</summary>
    public static SqliteValue CastReal(SqliteValue value) => value.Type switch
    {
        SqliteType.Null => value,
        SqliteType.Real => value,
        SqliteType.Integer => SqliteValue.FromReal(ToDouble(value)),
        _ => SqliteValue.FromReal(JsParseFloat(ToText(value)!) is var d && double.IsNaN(d) ? 0.0 : d),
    };

    /// <summary>JavaScript <c>parseFloat</c>: the longest decimal prefix after whitespace, or NaN.</summary>
    public static double JsParseFloat(string text)
    {
        var i = 0;
        while (i < text.Length && IsJsWhitespace(text[i]))
        {
            i++;
        }

        var start = i;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        if (string.CompareOrdinal(text, i, "Infinity", 0, 8) == 0)
        {
            return text[start] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        var mantissaStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        var mantissa = text.AsSpan(mantissaStart, i - mantissaStart);
        if (mantissa.Length == 0 || mantissa.SequenceEqual("."))
        {
            return double.NaN;
        }

        i = SkipExponent(text, i);

        return double.Parse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The index after an exponent part (<c>e</c>/<c>E</c>, optional sign, digits) at <paramref name="i"/>; <paramref name="i"/> when there is none.</summary>
    private static int SkipExponent(string text, int i)
    {
        if (i >= text.Length || text[i] is not ('e' or 'E'))
        {
            return i;
        }

        var j = i + 1;
        if (j < text.Length && text[j] is '+' or '-')
        {
            j++;
        }

        if (j >= text.Length || !char.IsAsciiDigit(text[j]))
        {
            return i;
        }

        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        return j;
    }

    public static SqliteValue Cast(SqliteValue value, string type) => type switch
    {
        "text" => value.IsNull ? value : SqliteValue.FromText(ToText(value)),
        "numeric" => CastNumeric(value),
        "integer" => CastInteger(value),
        "real" => CastReal(value),
        "blob" => value.IsNull ? value : SqliteValue.FromBlob(ToBlob(value)),
        _ => throw new SqlEvaluationException($"Type not supported for cast: '{type}'"),
    };
}
