namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// The date text JavaScript's <c>new Date(text)</c> reads under V8 (Node), local time being UTC: first the ES date-time
/// format (<c>[±YY]YYYY[-MM[-DD]][THH:mm[:ss[.sss]][Z|±hh:mm|±hhmm]]</c>), and where that stops short, V8's legacy
/// fallback, which reads the rest word by word: numbers become date parts (in the order the words suggest), <c>n:</c>
/// and <c>n.</c> time parts, month names (any word starting with a month's first three letters) the month, the zone
/// words <c>UT</c>, <c>UTC</c>, <c>GMT</c>, <c>Z</c> and the US zones (<c>EST</c>…<c>PDT</c>) and <c>±hh[mm]</c>,
/// <c>±hh:</c> offsets the zone, <c>AM</c>/<c>PM</c> the half-day; parenthesised text is skipped; unknown words and stray
/// signs are skipped before the first number and make the text invalid after it. Two-digit years 0–49 are 20xx, 50–99
/// 19xx. Returns the time in milliseconds, not yet clipped to the Date range, or null for text V8 rejects.
/// </summary>
internal static class JsDateParser
{
    /// <summary>A part not given.</summary>
    internal const int None = int.MaxValue;

    /// <summary>Digits of a number beyond this many significant ones are read but not counted.</summary>
    internal const int MaxSignificantDigits = 9;

    /// <summary>Reads <paramref name="text"/>, followed by a <c>Z</c> when <paramref name="appendZ"/> (as the official evaluator appends one to text without a zone).</summary>
    public static double? Parse(string text, bool appendZ)
    {
        var scanner = new JsDateScanner(text, appendZ);
        var day = new JsDayParts();
        var time = new JsTimeParts();
        var zone = new JsZoneParts();
        var next = ReadIsoForm(ref scanner, ref day, ref time, ref zone);
        if (next.Kind == JsDateTokenKind.Invalid)
        {
            return null;
        }

        if (next.Kind != JsDateTokenKind.End && !ReadLegacyForm(next, ref scanner, ref day, ref time, ref zone))
        {
            return null;
        }

        if (!day.TryCompose(out var year, out var month, out var dayOfMonth) || !time.TryCompose(out var timeOfDay) || !zone.TryCompose(out var offsetSeconds))
        {
            return null;
        }

        // Days past the month's length run on into the next month (31 February is 3 March).
        var days = (double)DateFunctions.DaysFromCivil(year, month, 1) + dayOfMonth - 1;
        return days * 86400000.0 + timeOfDay - (offsetSeconds ?? 0) * 1000.0;
    }

    /// <summary>
    /// Reads as much of the ES date-time format as the text follows. Returns End when the whole text is that format,
    /// Invalid when a time part (after <c>T</c>) is malformed, and otherwise the first token it did not use, from
    /// which the legacy reading goes on with the date parts read so far.
    /// </summary>
    private static JsDateToken ReadIsoForm(ref JsDateScanner scanner, ref JsDayParts day, ref JsTimeParts time, ref JsZoneParts zone)
    {
        if (scanner.Peek.IsSign)
        {
            var sign = scanner.Next();
            if (!scanner.Peek.IsNumberOfLength(6))
            {
                return sign;
            }

            var year = scanner.Next().Value;
            if (sign.Sign < 0 && year == 0)
            {
                return sign;
            }

            day.Add(sign.Sign * year);
        }
        else if (scanner.Peek.IsNumberOfLength(4))
        {
            day.Add(scanner.Next().Value);
        }
        else
        {
            return scanner.Next();
        }

        if (scanner.SkipSymbol('-'))
        {
            if (!scanner.Peek.IsNumberOfLength(2) || !IsMonth(scanner.Peek.Value))
            {
                return scanner.Next();
            }

            day.Add(scanner.Next().Value);
            if (scanner.SkipSymbol('-'))
            {
                if (!scanner.Peek.IsNumberOfLength(2) || !IsDay(scanner.Peek.Value))
                {
                    return scanner.Next();
                }

                day.Add(scanner.Next().Value);
            }
        }

        if (!scanner.Peek.IsWord(JsDateWordKind.TimeSeparator))
        {
            if (scanner.Peek.Kind != JsDateTokenKind.End)
            {
                return scanner.Next();
            }
        }
        else if (!ReadIsoTime(ref scanner, ref time, ref zone))
        {
            return JsDateToken.Invalid;
        }

        if (zone.IsEmpty && time.IsEmpty)
        {
            zone.SetHours(0); // a date alone is UTC
        }

        day.IsIsoOrder = true;
        return JsDateToken.End;
    }

    private static bool ReadIsoTime(ref JsDateScanner scanner, ref JsTimeParts time, ref JsZoneParts zone)
    {
        scanner.Next(); // T
        if (!scanner.Peek.IsNumberOfLength(2) || scanner.Peek.Value > 24)
        {
            return false;
        }

        var hourIs24 = scanner.Peek.Value == 24;
        time.Add(scanner.Next().Value);
        if (!scanner.SkipSymbol(':') || !scanner.Peek.IsNumberOfLength(2) || !IsMinute(scanner.Peek.Value) || (hourIs24 && scanner.Peek.Value > 0))
        {
            return false;
        }

        time.Add(scanner.Next().Value);
        if (scanner.SkipSymbol(':'))
        {
            if (!scanner.Peek.IsNumberOfLength(2) || !IsMinute(scanner.Peek.Value) || (hourIs24 && scanner.Peek.Value > 0))
            {
                return false;
            }

            time.Add(scanner.Next().Value);
            if (scanner.SkipSymbol('.'))
            {
                if (scanner.Peek.Kind != JsDateTokenKind.Number || (hourIs24 && scanner.Peek.Value > 0))
                {
                    return false;
                }

                time.Add(Milliseconds(scanner.Next()));
            }
        }

        if (scanner.Peek.IsZ)
        {
            scanner.Next();
            zone.SetHours(0);
        }
        else if (scanner.Peek.IsSign)
        {
            zone.Sign = scanner.Next().Sign;
            if (scanner.Peek.IsNumberOfLength(4))
            {
                var hhmm = scanner.Next().Value;
                if (!IsHour(hhmm / 100) || !IsMinute(hhmm % 100))
                {
                    return false;
                }

                zone.Hours = hhmm / 100;
                zone.Minutes = hhmm % 100;
            }
            else
            {
                if (!scanner.Peek.IsNumberOfLength(2) || !IsHour(scanner.Peek.Value))
                {
                    return false;
                }

                zone.Hours = scanner.Next().Value;
                if (!scanner.SkipSymbol(':') || !scanner.Peek.IsNumberOfLength(2) || !IsMinute(scanner.Peek.Value))
                {
                    return false;
                }

                zone.Minutes = scanner.Next().Value;
            }
        }

        return scanner.Peek.Kind == JsDateTokenKind.End;
    }

    /// <summary>V8's legacy reading, from <paramref name="token"/> to the end of the text; false where it rejects the text.</summary>
    private static bool ReadLegacyForm(JsDateToken token, ref JsDateScanner scanner, ref JsDayParts day, ref JsTimeParts time, ref JsZoneParts zone)
    {
        var hasReadNumber = !day.IsEmpty;
        for (; token.Kind != JsDateTokenKind.End; token = scanner.Next())
        {
            switch (token.Kind)
            {
                case JsDateTokenKind.Number:
                    hasReadNumber = true;
                    if (!ReadLegacyNumber(token.Value, ref scanner, ref day, ref time, ref zone))
                    {
                        return false;
                    }

                    break;
                case JsDateTokenKind.Word:
                    if (token.Word == JsDateWordKind.AmPm && !time.IsEmpty)
                    {
                        time.HourOffset = token.Value;
                    }
                    else if (token.Word == JsDateWordKind.Month)
                    {
                        day.NamedMonth = token.Value;
                        scanner.SkipSymbol('-');
                    }
                    else if (token.Word == JsDateWordKind.Zone && hasReadNumber)
                    {
                        zone.SetHours(token.Value);
                    }
                    else if (hasReadNumber || scanner.Peek.Kind == JsDateTokenKind.Number)
                    {
                        return false; // an unknown word after a number, or glued to the first number
                    }

                    break;
                case JsDateTokenKind.Symbol when token.IsSign && (zone.IsUtc || !time.IsEmpty):
                    hasReadNumber = true;
                    if (!ReadLegacyOffset(token.Sign, ref scanner, ref zone))
                    {
                        return false;
                    }

                    break;
                case JsDateTokenKind.Symbol when (token.IsSign || token.Value == ')') && hasReadNumber:
                    return false;
            }
        }

        return true;
    }

    private static bool ReadLegacyNumber(int n, ref JsDateScanner scanner, ref JsDayParts day, ref JsTimeParts time, ref JsZoneParts zone)
    {
        if (scanner.SkipSymbol(':'))
        {
            if (scanner.SkipSymbol(':'))
            {
                // "n::" is hours and zero minutes
                if (!time.IsEmpty)
                {
                    return false;
                }

                time.Add(n);
                time.Add(0);
                return true;
            }

            if (!time.Add(n))
            {
                return false;
            }

            if (scanner.Peek.IsSymbol('.'))
            {
                scanner.Next();
            }

            return true;
        }

        // The dot goes whether or not the number is a time part.
        if (scanner.SkipSymbol('.') && time.IsExpecting(n))
        {
            time.Add(n);
            if (scanner.Peek.Kind != JsDateTokenKind.Number)
            {
                return false;
            }

            time.AddFinal(Milliseconds(scanner.Next()));
            return true;
        }

        if (zone.IsExpectingMinutes(n))
        {
            zone.Minutes = n;
            return true;
        }

        if (time.IsExpecting(n))
        {
            time.AddFinal(n);
            var peek = scanner.Peek;
            return peek.Kind is JsDateTokenKind.End or JsDateTokenKind.WhiteSpace || peek.IsZ || peek.IsSign;
        }

        if (!day.Add(n))
        {
            return false;
        }

        scanner.SkipSymbol('-');
        return true;
    }

    private static bool ReadLegacyOffset(int sign, ref JsDateScanner scanner, ref JsZoneParts zone)
    {
        zone.Sign = sign;
        var n = 0;
        var length = 0;
        if (scanner.Peek.Kind == JsDateTokenKind.Number)
        {
            var number = scanner.Next();
            n = number.Value;
            length = number.Length;
        }

        if (scanner.Peek.IsSymbol(':'))
        {
            zone.Hours = n;
            zone.Minutes = None; // a following number may give them
        }
        else if (length is 1 or 2)
        {
            zone.Hours = n;
            zone.Minutes = 0;
        }
        else if (length is 3 or 4)
        {
            zone.Hours = n / 100;
            zone.Minutes = n % 100;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>The first three significant digits of a fraction, as milliseconds.</summary>
    private static int Milliseconds(JsDateToken number)
    {
        var length = Math.Min(number.Length, MaxSignificantDigits);
        var value = number.Value;
        return length switch
        {
            1 => value * 100,
            2 => value * 10,
            3 => value,
            _ => value / (int)Math.Pow(10, length - 3),
        };
    }

    internal static bool IsMonth(int n) => n is >= 1 and <= 12;

    internal static bool IsDay(int n) => n is >= 1 and <= 31;

    internal static bool IsHour(int n) => n is >= 0 and <= 23;

    internal static bool IsMinute(int n) => n is >= 0 and <= 59;
}
