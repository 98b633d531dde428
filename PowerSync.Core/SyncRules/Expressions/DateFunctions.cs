using System.Globalization;
using System.Text.RegularExpressions;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// <c>unixepoch</c> and <c>datetime</c> as the official evaluator implements them on JavaScript
/// <c>Date</c>: text without a zone is UTC, all-digit text is a Julian day, numbers are Julian days
/// (or unix seconds with <c>'unixepoch'</c>), only the <c>'unixepoch'</c> and <c>'subsec'</c> modifiers
/// exist and anything else gives NULL. Date text accepts the ISO 8601 forms (date, date + time with
/// <c>T</c> or a space, optional fraction and zone); other formats V8 happens to accept give NULL here.
/// </summary>
internal static partial class DateFunctions
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

    [GeneratedRegex(@"[Zz]|[+\-]\d{2}:\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex HasTimezone();

    [GeneratedRegex(@"^\d+(\.\d*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JulianDay();

    [GeneratedRegex(@"^([+\-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+\-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    private static double? ParseDateText(string text)
    {
        if (HasTimezone().IsMatch(text))
        {
            return ParseIso(text);
        }

        if (JulianDay().IsMatch(text))
        {
            return FromJulian(double.Parse(text, CultureInfo.InvariantCulture));
        }

        return ParseIso(text + "Z");
    }

    private static double? ParseIso(string text)
    {
        var m = IsoDate().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }

        var year = int.Parse(m.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var month = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
        var day = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 1;
        var hour = m.Groups[4].Success ? int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) : 0;
        var minute = m.Groups[5].Success ? int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture) : 0;
        var second = m.Groups[6].Success ? int.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture) : 0;
        var fraction = m.Groups[7].Success ? m.Groups[7].Value : string.Empty;
        if (month is < 1 or > 12 || day is < 1 or > 31 || hour > 24 || minute > 59 || second > 59
            || (hour == 24 && (minute != 0 || second != 0 || fraction.Trim('0').Length > 0)))
        {
            return null;
        }

        var millis = fraction.Length == 0 ? 0 : int.Parse((fraction + "00")[..3], CultureInfo.InvariantCulture);
        var days = DaysFromCivil(year, month, day); // V8 rolls day 29-31 over into the next month
        var time = (((days * 24.0) + hour) * 60 + minute) * 60000 + second * 1000.0 + millis;
        var zone = m.Groups[8].Value;
        if (zone.Length > 1)
        {
            var sign = zone[0] == '-' ? -1 : 1;
            var offset = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture) * 60 + int.Parse(zone.AsSpan(4, 2), CultureInfo.InvariantCulture);
            time -= sign * offset * 60000.0;
        }

        return time;
    }


    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (any year).</summary>
    private static long DaysFromCivil(long y, int m, int d)
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
