using System.Globalization;
using System.Text.RegularExpressions;

namespace PowerSync.Core.Replication;

/// <summary>
/// Postgres date/time text (ISO DateStyle output) to the text the official service syncs:
/// legacy form or ISO 8601 with a fixed number of fraction digits, UTC for <c>timestamptz</c>,
/// sentinels for ±infinity and NULL for values it cannot represent.
/// </summary>
internal static partial class PostgresDateTimeText
{
    private const int PostgresFractionDigits = 6;

    [GeneratedRegex(@"^([\d\-]+) ([\d:]+)(\.\d+)?([+-][\d:]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^([\d:]+)(?:\.(\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"^(\d{2}):(\d{2})(?::(\d{2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTimePattern();

    [GeneratedRegex(@"^([+-])(\d{2})(?::?(\d{2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();

    /// <summary><c>date</c>: as is, except ±infinity.</summary>
    public static string Date(string text) => text switch
    {
        "infinity" => "9999-12-31",
        "-infinity" => "0000-01-01",
        _ => text,
    };

    /// <summary><c>time</c>; null when the text is not <c>hh:mm:ss[.fff]</c>.</summary>
    public static string? Time(string text, ValueMappingOptions options)
    {
        var match = TimePattern().Match(text);
        if (!match.Success) return null;
        var seconds = match.Groups[1].Value;
        var fraction = match.Groups[2].Value;
        if (options.TimestampsIso8601) return RenderFraction(seconds, fraction, "", options);
        return fraction.Length > 0 ? seconds + "." + fraction : seconds;
    }

    /// <summary><c>timestamp</c> (without time zone); null for values Postgres prints in another form (BC dates).</summary>
    public static string? Timestamp(string text, ValueMappingOptions options)
    {
        if (CommonForm.TryParse(text, out var common) && common.OffsetLength == 0)
        {
            if (!options.TimestampsIso8601) return text;
            return common.Format(text, text.AsSpan(0, 10), text.AsSpan(11, 8), options, zulu: false);
        }
        return TimestampGeneral(text, options);
    }

    /// <summary><see cref="Timestamp"/> for any text: the reference the common-form path must agree with.</summary>
    internal static string? TimestampGeneral(string text, ValueMappingOptions options)
    {
        var match = TimestampPattern().Match(text);
        if (!match.Success)
        {
            return text switch
            {
                "infinity" => Render("9999-12-31T23:59:59", legacy: null, options),
                "-infinity" => Render("0000-01-01T00:00:00", legacy: null, options),
                _ => null,
            };
        }

        var fraction = match.Groups[3].Success ? match.Groups[3].Value.PadRight(7, '0') : ".000000";
        var iso = match.Groups[1].Value + "T" + match.Groups[2].Value + fraction;
        return Render(iso, legacy: text, options);
    }

    /// <summary><c>timestamptz</c> converted to UTC; null when outside years 0000-9999 as the service parses them.</summary>
    public static string? TimestampTz(string text, ValueMappingOptions options)
    {
        // Nearly every value has Postgres's usual shape: parsed by hand (a regex match per value cost more
        // than the rest of the row). Anything else takes the general path, which is the reference.
        if (!CommonForm.TryParse(text, out var common)) return TimestampTzGeneral(text, options);
        if (UtcSeconds(common.Year, common.Month, common.Day, common.Hour, common.Minute, common.Second, common.OffsetSeconds) is not { } utc) return null;
        Span<char> date = stackalloc char[16];
        Span<char> time = stackalloc char[8];
        var dateLength = FormatUtc(utc, date, time);
        return common.Format(text, date[..dateLength], time, options, zulu: true);
    }

    /// <summary><see cref="TimestampTz"/> for any text: the reference the common-form path must agree with.</summary>
    internal static string? TimestampTzGeneral(string text, ValueMappingOptions options)
    {
        var match = TimestampPattern().Match(text);
        if (!match.Success)
        {
            return text switch
            {
                "infinity" => Render("9999-12-31T23:59:59Z", legacy: null, options),
                "-infinity" => Render("0000-01-01T00:00:00Z", legacy: null, options),
                _ => null,
            };
        }

        var date = IsoDatePattern().Match(match.Groups[1].Value);
        var time = IsoTimePattern().Match(match.Groups[2].Value);
        var offset = match.Groups[4].Success ? OffsetPattern().Match(match.Groups[4].Value) : null;
        if (!date.Success || !time.Success || offset is { Success: false }) return null;

        var year = Int(date.Groups[1]);
        var month = Int(date.Groups[2]);
        var day = Int(date.Groups[3]);
        var hour = Int(time.Groups[1]);
        var minute = Int(time.Groups[2]);
        var second = time.Groups[3].Success ? Int(time.Groups[3]) : 0;
        long offsetSeconds = 0;
        if (offset is not null)
        {
            var sign = offset.Groups[1].Value == "-" ? -1 : 1;
            var offsetMinutes = offset.Groups[3].Success ? Int(offset.Groups[3]) : 0;
            offsetSeconds = sign * ((Int(offset.Groups[2]) * 3600L) + (offsetMinutes * 60L));
        }

        if (UtcSeconds(year, month, day, hour, minute, second, offsetSeconds) is not { } utc) return null;
        var baseText = FormatUtc(utc);
        var fraction = match.Groups[3].Value; // with its '.', or empty
        return Render(baseText + fraction + "Z", legacy: baseText.Replace('T', ' ') + fraction + "Z", options);
    }

    private static int Int(Group group) => int.Parse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Render(string iso, string? legacy, ValueMappingOptions options)
    {
        if (!options.TimestampsIso8601) return legacy ?? iso.Replace('T', ' ');

        var suffix = iso.EndsWith('Z') ? "Z" : "";
        var withoutSuffix = iso[..^suffix.Length];
        var dot = withoutSuffix.LastIndexOf('.');
        var fraction = "";
        if (dot >= 0 && withoutSuffix.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            fraction = withoutSuffix[(dot + 1)..];
            withoutSuffix = withoutSuffix[..dot];
        }
        return RenderFraction(withoutSuffix, fraction, suffix, options);
    }

    /// <summary>Trims (never rounds) or zero-pads the fraction to the configured digits.</summary>
    private static string RenderFraction(string withoutFraction, string fraction, string suffix, ValueMappingOptions options)
    {
        var maxPrecision = options.TimestampMaxPrecision ?? PostgresFractionDigits;
        if (maxPrecision == 0) return withoutFraction + suffix;
        var digits = Math.Min(maxPrecision, PostgresFractionDigits);
        fraction = fraction.Length > digits ? fraction[..digits] : fraction.PadRight(digits, '0');
        return withoutFraction + "." + fraction + suffix;
    }

    /// <summary>
    /// <c>yyyy-mm-dd hh:mm:ss[.f…][±hh[[:]mm]]</c>, the form Postgres prints with DateStyle ISO.
    /// Parsing only checks the shape; the callers validate the fields exactly as the general path does.
    /// </summary>
    private readonly record struct CommonForm(int Year, int Month, int Day, int Hour, int Minute, int Second, int FractionStart, int FractionLength, int OffsetLength, long OffsetSeconds)
    {
        public static bool TryParse(string text, out CommonForm form)
        {
            form = default;
            var s = text.AsSpan();
            if (s.Length < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return false;
            if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
                || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)) return false;
            var i = 19;
            int fractionStart = i, fractionLength = 0;
            if (i < s.Length && s[i] == '.')
            {
                var end = i + 1;
                while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
                if (end == i + 1) return false;
                fractionLength = end - i;
                i = end;
            }
            var offsetStart = i;
            long offsetSeconds = 0;
            if (i < s.Length)
            {
                if (s[i] is not ('+' or '-') || !Digits(s, i + 1, 2, out var offsetHours)) return false;
                var offsetMinutes = 0;
                i += 3;
                if (i < s.Length)
                {
                    if (s[i] == ':') i++;
                    if (!Digits(s, i, 2, out offsetMinutes) || i + 2 != s.Length) return false;
                }
                offsetSeconds = (s[offsetStart] == '-' ? -1 : 1) * ((offsetHours * 3600L) + (offsetMinutes * 60L));
            }
            form = new CommonForm(year, month, day, hour, minute, second, fractionStart, fractionLength, s.Length - offsetStart, offsetSeconds);
            return true;
        }

        /// <summary>The synced text: legacy (<c>date time.fraction</c>) or ISO 8601 with the configured fraction digits.</summary>
        public string Format(string text, ReadOnlySpan<char> date, ReadOnlySpan<char> time, ValueMappingOptions options, bool zulu)
        {
            var fraction = text.AsSpan(FractionStart, FractionLength); // with its '.', or empty
            Span<char> buffer = stackalloc char[date.Length + time.Length + 2 + Math.Max(fraction.Length, PostgresFractionDigits + 1)];
            var n = 0;
            date.CopyTo(buffer);
            n += date.Length;
            buffer[n++] = options.TimestampsIso8601 ? 'T' : ' ';
            time.CopyTo(buffer[n..]);
            n += time.Length;
            if (!options.TimestampsIso8601)
            {
                fraction.CopyTo(buffer[n..]);
                n += fraction.Length;
            }
            else if ((options.TimestampMaxPrecision ?? PostgresFractionDigits) is var maxPrecision and > 0)
            {
                // Trimmed (never rounded) or zero-padded to the configured digits.
                var digits = Math.Min(maxPrecision, PostgresFractionDigits);
                var given = fraction.IsEmpty ? [] : fraction[1..];
                buffer[n++] = '.';
                for (var d = 0; d < digits; d++) buffer[n++] = d < given.Length ? given[d] : '0';
            }
            if (zulu) buffer[n++] = 'Z';
            return new string(buffer[..n]);
        }

        private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
        {
            value = 0;
            if (start + count > s.Length) return false;
            for (var i = start; i < start + count; i++)
            {
                if (!char.IsAsciiDigit(s[i])) return false;
                value = (value * 10) + (s[i] - '0');
            }
            return true;
        }
    }

    /// <summary>Seconds since the epoch, in UTC, of a date and time at an offset; null when a field is out of range.</summary>
    private static long? UtcSeconds(int year, int month, int day, int hour, int minute, int second, long offsetSeconds) =>
        month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 24 || minute > 59 || second > 59
            ? null
            : (DaysFromCivil(year, month, day) * 86400L) + (hour * 3600L) + (minute * 60L) + second - offsetSeconds;

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Days since 1970-01-01 in the proleptic Gregorian calendar (valid for any year, including 0).</summary>
    private static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146097) + dayOfEra - 719468;
    }

    /// <summary>Seconds since the epoch as JavaScript's <c>toISOString()</c> prints them, without milliseconds and <c>Z</c>.</summary>
    private static string FormatUtc(long epochSeconds)
    {
        Span<char> date = stackalloc char[16];
        Span<char> time = stackalloc char[8];
        var length = FormatUtc(epochSeconds, date, time);
        return string.Concat(date[..length], "T", time);
    }

    /// <summary>Writes the date (<c>yyyy-mm-dd</c>, or <c>±yyyyyy-mm-dd</c> outside years 0-9999) and <c>hh:mm:ss</c>; returns the date's length.</summary>
    private static int FormatUtc(long epochSeconds, Span<char> date, Span<char> time)
    {
        var days = Math.DivRem(epochSeconds, 86400L, out var secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += 86400;
            days--;
        }

        // Civil from days (inverse of DaysFromCivil).
        var z = days + 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var dayOfEra = z - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var day = dayOfYear - (((153 * mp) + 2) / 5) + 1;
        var month = mp < 10 ? mp + 3 : mp - 9;
        var year = yearOfEra + (era * 400) + (month <= 2 ? 1 : 0);

        var n = 0;
        if (year is >= 0 and <= 9999) n += Pad(date, year, 4);
        else
        {
            date[n++] = year < 0 ? '-' : '+';
            n += Pad(date[n..], Math.Abs(year), 6);
        }
        date[n++] = '-';
        n += Pad(date[n..], month, 2);
        date[n++] = '-';
        n += Pad(date[n..], day, 2);
        Pad(time, secondOfDay / 3600, 2);
        time[2] = ':';
        Pad(time[3..], secondOfDay / 60 % 60, 2);
        time[5] = ':';
        Pad(time[6..], secondOfDay % 60, 2);
        return n;
    }

    private static int Pad(Span<char> into, long value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            into[i] = (char)('0' + (value % 10));
            value /= 10;
        }
        return width;
    }
}
