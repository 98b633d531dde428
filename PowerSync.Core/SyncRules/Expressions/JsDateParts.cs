using System.Runtime.CompilerServices;
using static PowerSync.Core.SyncRules.Expressions.JsDateParser;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Up to four numbers in the order they were read (unread ones are zero).</summary>
internal struct JsDateNumbers
{
    private Slots _slots;

    public JsDateNumbers(int capacity) => Capacity = capacity;

    public int Capacity { get; }

    public int Count { get; private set; }

    public readonly int this[int index] => _slots[index];

    public bool Add(int n)
    {
        if (Count >= Capacity)
        {
            return false;
        }

        _slots[Count++] = n;
        return true;
    }

    /// <summary>Counts the unread numbers as read (zero).</summary>
    public void Complete() => Count = Capacity;

    [InlineArray(4)]
    private struct Slots
    {
        private int _element;
    }
}

/// <summary>Up to three date numbers and a named month, put in order when the text is read.</summary>
internal struct JsDayParts
{
    private JsDateNumbers _numbers = new(3);

    public JsDayParts() => NamedMonth = None;

    public int NamedMonth { get; set; }

    public bool IsIsoOrder { get; set; }

    public readonly bool IsEmpty => _numbers.Count == 0;

    public bool Add(int n) => _numbers.Add(n);

    public bool TryCompose(out long year, out int month, out int day)
    {
        year = 0;
        month = 0;
        day = 0;
        if (_numbers.Count == 0)
        {
            return false;
        }

        // Missing parts are 1; then the count is always three, so a lone "Mar 6" is year 1 (2001).
        while (_numbers.Add(1))
        {
        }

        var (first, second, third) = (_numbers[0], _numbers[1], _numbers[2]);

        if (NamedMonth == None)
        {
            (year, month, day) = IsIsoOrder || !IsDay(first) ? (first, second, third) : (third, first, second);
        }
        else
        {
            month = NamedMonth;
            (year, day) = IsDay(first) ? (second, first) : (first, second);
        }

        if (!IsIsoOrder && year is >= 0 and <= 99)
        {
            year += year < 50 ? 2000 : 1900;
        }

        return IsMonth(month) && IsDay(day);
    }
}

/// <summary>Hours, minutes, seconds and milliseconds as read, and the AM/PM offset.</summary>
internal struct JsTimeParts
{
    private JsDateNumbers _numbers = new(4);

    public JsTimeParts() => HourOffset = None;

    public int HourOffset { get; set; }

    public readonly bool IsEmpty => _numbers.Count == 0;

    /// <summary>Whether <paramref name="n"/> fits as the next part after the hours.</summary>
    public readonly bool IsExpecting(int n) => _numbers.Count switch
    {
        1 or 2 => IsMinute(n),
        3 => n is >= 0 and <= 999,
        _ => false,
    };

    public bool Add(int n) => _numbers.Add(n);

    public void AddFinal(int n)
    {
        _numbers.Add(n);
        _numbers.Complete(); // the remaining parts stay zero
    }

    public readonly bool TryCompose(out double milliseconds)
    {
        milliseconds = 0;
        var (hours, minutes, seconds, millis) = (_numbers[0], _numbers[1], _numbers[2], _numbers[3]);
        if (HourOffset != None)
        {
            if (hours is < 0 or > 12)
            {
                return false;
            }

            hours = hours % 12 + HourOffset;
        }

        if (!IsHour(hours) || !IsMinute(minutes) || !IsMinute(seconds) || millis is < 0 or > 999)
        {
            if (hours != 24 || minutes != 0 || seconds != 0 || millis != 0)
            {
                return false;
            }
        }

        milliseconds = ((hours * 60.0 + minutes) * 60 + seconds) * 1000 + millis;
        return true;
    }
}

/// <summary>The UTC offset as read: a sign, hours and minutes (None until given).</summary>
internal struct JsZoneParts
{
    public JsZoneParts() => (Sign, Hours, Minutes) = (None, None, None);

    public int Sign { get; set; }

    public int Hours { get; set; }

    public int Minutes { get; set; }

    public readonly bool IsEmpty => Hours == None;

    public readonly bool IsUtc => Hours == 0 && Minutes == 0;

    public readonly bool IsExpectingMinutes(int n) => Hours != None && Minutes == None && IsMinute(n);

    public void SetHours(int signedHours) => (Sign, Hours, Minutes) = (signedHours < 0 ? -1 : 1, Math.Abs(signedHours), 0);

    /// <summary>The offset in seconds (null: local time, here UTC); V8 computes it in 32-bit unsigned arithmetic.</summary>
    public readonly bool TryCompose(out int? seconds)
    {
        seconds = null;
        if (Sign == None)
        {
            return true;
        }

        var total = unchecked((uint)(Hours == None ? 0 : Hours) * 3600u + (uint)(Minutes == None ? 0 : Minutes) * 60u);
        if (total > int.MaxValue)
        {
            return false;
        }

        seconds = Sign < 0 ? -(int)total : (int)total;
        return true;
    }
}
