using System.Globalization;
using System.Text;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// Value semantics of the official (JavaScript) evaluator for editions 1 and 2: casts, comparison,
/// two-valued boolean logic, arithmetic and concatenation over <see cref="SqliteValue"/>.
/// </summary>
/// <remarks>
/// Integers: the official evaluator computes with unbounded BigInts, so <c>9223372036854775807 + 1</c> is the
/// INTEGER 9223372036854775808 there, and so it is here: INTEGER arithmetic runs on int64 and moves to
/// <see cref="System.Numerics.BigInteger"/> only when a result overflows (or an operand already is beyond int64).
/// INTEGER and REAL compare by exact mathematical value, as JavaScript compares a BigInt with a number.
/// </remarks>
internal static partial class SqlValueSemantics
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static readonly SqliteValue True = SqliteValue.FromInteger(1);
    public static readonly SqliteValue False = SqliteValue.FromInteger(0);

    public static SqliteValue Bool(bool value) => value ? True : False;

    /// <summary>JavaScript <c>String(x)</c> of a value; NULL gives null; blobs decode as UTF-8.</summary>
    public static string? ToText(SqliteValue value) => value.Type switch
    {
        SqliteType.Null => null,
        SqliteType.Integer => value.IsBigInteger ? value.AsBigInteger.ToString(CultureInfo.InvariantCulture) : value.AsInteger.ToString(CultureInfo.InvariantCulture),
        SqliteType.Real => JsNumberFormat.Format(value.AsReal),
        SqliteType.Text => value.AsText,
        _ => Utf8.GetString(value.AsBlob),
    };

    public static byte[]? ToBlob(SqliteValue value) => value.Type switch
    {
        SqliteType.Null => null,
        SqliteType.Blob => value.AsBlob,
        _ => Utf8.GetBytes(ToText(value)!),
    };

    /// <summary>Truthiness: NULL and blobs false, numbers non-zero, text by its leading integer (JS parseInt).</summary>
    public static bool IsTrue(SqliteValue value) => value.Type switch
    {
        SqliteType.Integer => value.IsBigInteger || value.AsInteger != 0,
        SqliteType.Real => value.AsReal != 0 && !double.IsNaN(value.AsReal),
        SqliteType.Text => JsParseIntIsTruthy(value.AsText),
        _ => false,
    };

    private static bool JsParseIntIsTruthy(string text)
    {
        var i = 0;
        while (i < text.Length && IsJsWhitespace(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        var hex = i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X';
        if (hex)
        {
            i += 2;
        }

        var any = false;
        var nonZero = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            var isDigit = hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c);
            if (!isDigit)
            {
                break;
            }

            any = true;
            nonZero |= c != '0';
        }

        return any && nonZero;
    }

    internal static bool IsJsWhitespace(char c) => char.IsWhiteSpace(c) || c == '\uFEFF';

    private static int TypeOrder(SqliteType type) => type switch
    {
        SqliteType.Null => 0,
        SqliteType.Integer or SqliteType.Real => 1,
        SqliteType.Text => 2,
        _ => 3,
    };

    /// <summary>Three-way comparison: numbers numerically, text by UTF-16 code units, otherwise by type order.</summary>
    public static int Compare(SqliteValue a, SqliteValue b)
    {
        var ta = a.Type;
        var tb = b.Type;
        if (ta == SqliteType.Integer && tb == SqliteType.Integer)
        {
            return a.IsBigInteger || b.IsBigInteger ? a.AsBigInteger.CompareTo(b.AsBigInteger) : a.AsInteger.CompareTo(b.AsInteger);
        }

        if (ta == SqliteType.Real && tb == SqliteType.Real)
        {
            double da = a.AsReal, db = b.AsReal;
            return da == db ? 0 : da > db ? 1 : -1;
        }

        if (ta == SqliteType.Integer && tb == SqliteType.Real)
        {
            return CompareIntegerReal(a, b.AsReal);
        }

        if (ta == SqliteType.Real && tb == SqliteType.Integer)
        {
            var reversed = CompareIntegerReal(b, a.AsReal);
            return double.IsNaN(a.AsReal) ? -1 : -reversed;
        }

        if (ta == SqliteType.Text && tb == SqliteType.Text)
        {
            return Math.Sign(string.CompareOrdinal(a.AsText, b.AsText));
        }

        if (ta == SqliteType.Blob && tb == SqliteType.Blob)
        {
            throw new SqlEvaluationException("Comparing blobs is not supported currently");
        }

        return TypeOrder(ta) - TypeOrder(tb);
    }

    /// <summary>An INTEGER against a REAL by exact value (JavaScript BigInt against number); NaN sorts first as before.</summary>
    private static int CompareIntegerReal(SqliteValue integer, double real)
    {
        if (double.IsNaN(real))
        {
            return -1;
        }

        if (double.IsInfinity(real))
        {
            return real > 0 ? -1 : 1;
        }

        var floor = Math.Floor(real);
        var fraction = floor == real ? 0 : -1; // an integer equal to floor(real) is below a real with a fraction
        if (!integer.IsBigInteger && floor >= -9.2233720368547758E18 && floor < 9.2233720368547758E18)
        {
            var x = integer.AsInteger;
            var y = (long)floor;
            return x != y ? (x < y ? -1 : 1) : fraction;
        }

        var c = integer.AsBigInteger.CompareTo(new System.Numerics.BigInteger(floor));
        return c != 0 ? Math.Sign(c) : fraction;
    }

    /// <summary>An INTEGER (or REAL) as a double: what JavaScript's Number(x) gives for a BigInt.</summary>
    public static double ToDouble(SqliteValue number) =>
        number.Type == SqliteType.Real ? number.AsReal
        : number.IsBigInteger ? double.Parse(number.AsBigInteger.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) // rounds to nearest; the BigInteger cast truncates
        : number.AsInteger;

    /// <summary>A whole double as an exact INTEGER of any size (JavaScript BigInt(x)); NaN and infinities are row errors.</summary>
    public static SqliteValue IntegerFromDouble(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            throw new SqlEvaluationException($"The number {JsNumberFormat.Format(d)} cannot be converted to an integer");
        }

        return d >= -9.2233720368547758E18 && d < 9.2233720368547758E18
            ? SqliteValue.FromInteger((long)d)
            : SqliteValue.FromInteger(new System.Numerics.BigInteger(d));
    }

    public static SqliteValue Comparison(string op, SqliteValue a, SqliteValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqliteValue.Null;
        }

        var diff = Compare(a, b);
        return Bool(op switch
        {
            "=" => diff == 0,
            "!=" => diff != 0,
            "<" => diff < 0,
            ">" => diff > 0,
            "<=" => diff <= 0,
            _ => diff >= 0,
        });
    }

    /// <summary>+ - * /: operands cast to numeric, INTEGER op INTEGER stays INTEGER (REAL on overflow), x/0 is NULL.</summary>
    public static SqliteValue Arithmetic(char op, SqliteValue a, SqliteValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqliteValue.Null;
        }

        var na = CastNumeric(a);
        var nb = CastNumeric(b);
        if (op == '/' && (nb.Type == SqliteType.Integer ? !nb.IsBigInteger && nb.AsInteger == 0 : nb.AsReal == 0))
        {
            return SqliteValue.Null;
        }

        if (na.Type == SqliteType.Integer && nb.Type == SqliteType.Integer)
        {
            if (!na.IsBigInteger && !nb.IsBigInteger)
            {
                long x = na.AsInteger, y = nb.AsInteger;
                try
                {
                    return SqliteValue.FromInteger(op switch
                    {
                        '+' => checked(x + y),
                        '-' => checked(x - y),
                        '*' => checked(x * y),
                        _ => y == -1 ? checked(-x) : x / y,
                    });
                }
                catch (OverflowException)
                {
                    // Falls through to the exact path below.
                }
            }

            // Beyond int64 (as BigInt upstream): exact, and back to int64 when the result fits.
            System.Numerics.BigInteger bx = na.AsBigInteger, by = nb.AsBigInteger;
            return SqliteValue.FromInteger(op switch
            {
                '+' => bx + by,
                '-' => bx - by,
                '*' => bx * by,
                _ => System.Numerics.BigInteger.Divide(bx, by),
            });
        }

        var dx = ToDouble(na);
        var dy = ToDouble(nb);
        return SqliteValue.FromReal(op switch
        {
            '+' => dx + dy,
            '-' => dx - dy,
            '*' => dx * dy,
            _ => dx / dy,
        });
    }

    public static SqliteValue Concat(SqliteValue a, SqliteValue b)
    {
        var x = ToText(a);
        var y = ToText(b);
        return x is null || y is null ? SqliteValue.Null : SqliteValue.FromText(x + y);
    }

    /// <summary>A JSON value as the evaluator sees it (fixed mode: null is NULL; legacy: null is 'null'; bools 1/0; containers JSONBig text).</summary>
    public static SqliteValue FromJson(JsonNode? node, bool fixedJson)
    {
        if (node is null)
        {
            return SqliteValue.Null;
        }

        return node.Kind switch
        {
            JsonKind.Null => fixedJson ? SqliteValue.Null : SqliteValue.FromText("null"),
            JsonKind.True => True,
            JsonKind.False => False,
            JsonKind.Integer => SqliteValue.FromInteger(node.Integer),
            JsonKind.BigInteger => SqliteValue.FromInteger(System.Numerics.BigInteger.Parse(node.Text!, CultureInfo.InvariantCulture)),
            JsonKind.Real => SqliteValue.FromReal(node.Real),
            JsonKind.String => SqliteValue.FromText(node.Text),
            _ => SqliteValue.FromText(node.ToJsonBig()),
        };
    }

    /// <summary>Parses a JSON array operand of IN / &amp;&amp; (exact numbers).</summary>
    public static IReadOnlyList<JsonNode> JsonArray(SqliteValue value, string error)
    {
        if (value.Type != SqliteType.Text)
        {
            throw new SqlEvaluationException(error);
        }

        var node = JsonParser.TryParse(value.AsText) ?? throw new SqlEvaluationException($"{error}: invalid JSON {value.AsText}");
        return node.Items ?? throw new SqlEvaluationException($"{error}: {value.AsText} is not an array");
    }

    public static SqliteValue In(SqliteValue a, SqliteValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqliteValue.Null;
        }

        foreach (var item in JsonArray(b, "IN is only supported on JSON arrays"))
        {
            if (Compare(FromJson(item, true), a) == 0)
            {
                return True;
            }
        }

        return False;
    }

    public static SqliteValue Overlap(SqliteValue a, SqliteValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqliteValue.Null;
        }

        var left = JsonArray(a, "&& is only supported on JSON arrays");
        var right = JsonArray(b, "&& is only supported on JSON arrays");
        foreach (var x in left)
        {
            var vx = FromJson(x, true);
            foreach (var y in right)
            {
                if (Compare(FromJson(y, true), vx) == 0)
                {
                    return True;
                }
            }
        }

        return False;
    }

    public static string TypeOf(SqliteValue value) => value.Type switch
    {
        SqliteType.Null => "null",
        SqliteType.Integer => "integer",
        SqliteType.Real => "real",
        SqliteType.Text => "text",
        _ => "blob",
    };
}
