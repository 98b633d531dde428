using System.Globalization;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// <c>unixepoch</c> and <c>datetime</c> as the official evaluator implements them on JavaScript
/// <c>Date</c>: text without a zone is UTC, all-digit text is a Julian day, numbers are Julian days
/// (or unix seconds with <c>'unixepoch'</c>), only the <c>'unixepoch'</c> and <c>'subsec'</c> modifiers
/// exist and anything else gives NULL. Date text is read as V8 reads it (<see cref="JsDateParser"/>).
/// </summary>
internal static class DateFunctions
{
    private const double MaxTime = 8.64e15;

    public static SqliteValue UnixEpoch(SqliteValue[] args)
    {
        if (!TryResolve(args, out var ms, out var subsecond))
        {
            return SqliteValue.Null;
        }

        return subsecond ? SqliteValue.FromReal(ms / 1000.0) : SqliteValue.FromInteger((long)Math.Floor(ms / 1000.0));
    }

    public static SqliteValue DateTime(SqliteValue[] args)
    {
        if (!TryResolve(args, out var ms, out var subsecond))
        {
            return SqliteValue.Null;
        }

        var iso = ToIsoString(ms).Replace('T', ' ');
        if (iso.StartsWith("-0", StringComparison.Ordinal))
        {
            iso = "-" + iso[1..].TrimStart('0');
        }

        iso = iso[..^1]; // Z
        if (!subsecond)
        {
            var dot = iso.LastIndexOf('.');
            iso = iso[..dot];
        }

        return SqliteValue.FromText(iso);
    }

    private static bool TryResolve(SqliteValue[] args, out double ms, out bool subsecond)
    {
        ms = 0;
        subsecond = false;
        var value = args[0];
        if (value.IsNull)
        {
            return false;
        }

        var unixepoch = false;
        var spec = args.Length > 1 ? args[1] : SqliteValue.Null;
        var spec2 = args.Length > 2 ? args[2] : SqliteValue.Null;
        if (!spec.IsNull)
        {
            if (IsText(spec, "unixepoch"))
            {
                unixepoch = true;
                if (!spec2.IsNull)
                {
                    if (IsText(spec2, "subsec") || IsText(spec2, "subsecond"))
                    {
                        subsecond = true;
                    }
                    else
                    {
                        return false;
                    }
                }
            }
            else if (IsText(spec, "subsec") || IsText(spec, "subsecond"))
            {
                subsecond = true;
            }
            else
            {
                return false;
            }
        }

        double? time = value.Type switch
        {
            SqliteType.Text => ParseDateText(value.AsText),
            SqliteType.Integer => unixepoch ? SqlValueSemantics.ToDouble(value) * 1000.0 : FromJulian(SqlValueSemantics.ToDouble(value)),
            SqliteType.Real => unixepoch ? value.AsReal * 1000.0 : FromJulian(value.AsReal),
            _ => null,
        };
        if (time is not { } t || !double.IsFinite(t) || Math.Abs(t) > MaxTime)
        {
            return false;
        }

        ms = Math.Truncate(t) + 0.0; // Date's TimeClip
        return true;
    }

    private static bool IsText(SqliteValue v, string text) => v.Type == SqliteType.Text && v.AsText == text;

    private static double FromJulian(double julianDay) => (julianDay - 2440587.5) * 24 * 60 * 60 * 1000;

    /// <summary>
    /// Date text as the official evaluator reads it: text with a <c>Z</c> anywhere or ending in <c>±hh:mm</c> goes to
    /// <c>new Date</c> as it is, all-digit text (with an optional fraction) is a Julian day, and any other text gets a
    /// <c>Z</c> appended first (so zone-less ISO text is UTC, and legacy text ending in a word usually becomes invalid).
    /// </summary>
    private static double? ParseDateText(string text)
    {
        if (HasTimezone(text))
        {
            return JsDateParser.Parse(text, appendZ: false);
        }

        if (IsJulianDay(text))
        {
            return FromJulian(double.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
        }

        return JsDateParser.Parse(text, appendZ: true);
    }

    /// <summary>The official evaluator's test <c>/[Zz]|[+\-]\d{2}:\d{2}$/</c> (ASCII digits, <c>$</c> at the very end).</summary>
    private static bool HasTimezone(string text)
    {
        if (text.AsSpan().IndexOfAny('Z', 'z') >= 0)
        {
            return true;
        }

        var n = text.Length;
        return n >= 6 && text[n - 6] is '+' or '-' && char.IsAsciiDigit(text[n - 5]) && char.IsAsciiDigit(text[n - 4])
            && text[n - 3] == ':' && char.IsAsciiDigit(text[n - 2]) && char.IsAsciiDigit(text[n - 1]);
    }

    /// <summary>The official evaluator's test <c>/^\d+(\.\d*)?$/</c> (ASCII digits).</summary>
    private static bool IsJulianDay(string text)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        return i == text.Length;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (any year).</summary>
    internal static long DaysFromCivil(long y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// <summary>JavaScript <c>Date.prototype.toISOString</c>.</summary>
    internal static string ToIsoString(double ms)
    {
        var days = (long)Math.Floor(ms / 86400000.0);
        var msOfDay = (long)(ms - days * 86400000.0);
        var z = days + 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        var y = yoe + era * 400;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var d = doy - (153 * mp + 2) / 5 + 1;
        var m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2 ? 1 : 0;
        var year = y is >= 0 and <= 9999
            ? y.ToString("D4", CultureInfo.InvariantCulture)
            : (y < 0 ? "-" : "+") + Math.Abs(y).ToString("D6", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"{year}-{m:D2}-{d:D2}T{msOfDay / 3600000:D2}:{msOfDay / 60000 % 60:D2}:{msOfDay / 1000 % 60:D2}.{msOfDay % 1000:D3}Z");
    }
}
