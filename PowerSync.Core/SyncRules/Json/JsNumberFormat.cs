using System.Globalization;
using System.Text;

namespace PowerSync.Core.SyncRules.Json;

/// <summary>
/// Formats doubles exactly like JavaScript's <c>Number.prototype.toString()</c> (ECMA-262
/// Number::toString with the shortest round-trip digits), which is what the official evaluator's
/// JSON output, bucket ids and text casts use.
/// </summary>
internal static class JsNumberFormat
{
    /// <summary><c>String(x)</c> in JavaScript: <c>1</c>, <c>1.5</c>, <c>1e+21</c>, <c>1e-7</c>, <c>NaN</c>.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "Infinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Infinity";
        }

        if (value == 0)
        {
            return "0"; // also -0
        }

        var sb = new StringBuilder(24);
        Append(sb, value);
        return sb.ToString();
    }

    /// <summary>Appends the JavaScript form of a finite, non-zero double.</summary>
    private static void Append(StringBuilder sb, double value)
    {
        // "R" on .NET Core 3.0+ gives the shortest round-trip digits, e.g. "1.5E-07" or "123.25".
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent; // value = 0.d1d2d3... * 10^n  => n = exponent
        var ePos = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = ePos >= 0 ? shortest[..ePos] : shortest;
        var exp10 = ePos >= 0 ? int.Parse(shortest.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var all = intPart + fracPart;
        var leadingZeros = 0;
        while (leadingZeros < all.Length - 1 && all[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = all[leadingZeros..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        exponent = intPart.Length - leadingZeros + exp10;
        var k = digits.Length;
        var n = exponent;
        if (value < 0)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(n - 1 >= 0 ? '+' : '-').Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }
    }
}
