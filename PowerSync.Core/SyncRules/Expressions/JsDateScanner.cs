using static PowerSync.Core.SyncRules.Expressions.JsDateParser;

namespace PowerSync.Core.SyncRules.Expressions;

internal enum JsDateTokenKind
{
    Invalid,
    End,
    Number,
    Symbol,
    Word,
    WhiteSpace,
    Unknown,
}

internal enum JsDateWordKind
{
    Unknown,
    Month,
    Zone,
    TimeSeparator,
    AmPm,
}

/// <summary>
/// A number (<see cref="Value"/> of its first nine significant digits, <see cref="Length"/> all of them), one of <c>: - + . )</c>,
/// a word (<see cref="Value"/>: month number, zone hours, AM/PM hours), white space, or anything else.
/// </summary>
internal readonly record struct JsDateToken(JsDateTokenKind Kind, int Value, int Length, JsDateWordKind Word = JsDateWordKind.Unknown)
{
    public static readonly JsDateToken End = new(JsDateTokenKind.End, 0, 0);
    public static readonly JsDateToken Invalid = new(JsDateTokenKind.Invalid, 0, 0);

    public bool IsSign => Kind == JsDateTokenKind.Symbol && Value is '+' or '-';

    public int Sign => Value == '+' ? 1 : -1;

    public bool IsZ => Kind == JsDateTokenKind.Word && Word == JsDateWordKind.Zone && Length == 1 && Value == 0;

    public bool IsSymbol(char c) => Kind == JsDateTokenKind.Symbol && Value == c;

    public bool IsNumberOfLength(int length) => Kind == JsDateTokenKind.Number && Length == length;

    public bool IsWord(JsDateWordKind word) => Kind == JsDateTokenKind.Word && Word == word;
}

/// <summary>Splits the text into tokens with one token of lookahead; a NUL character ends the text, as in V8.</summary>
internal struct JsDateScanner
{
    private readonly string _text;
    private readonly int _length;
    private int _position;

    public JsDateScanner(string text, bool appendZ)
    {
        _text = text;
        _length = text.Length + (appendZ ? 1 : 0);
        Peek = Scan();
    }

    public JsDateToken Peek { get; private set; }

    public JsDateToken Next()
    {
        var token = Peek;
        Peek = Scan();
        return token;
    }

    public bool SkipSymbol(char c)
    {
        if (!Peek.IsSymbol(c))
        {
            return false;
        }

        Peek = Scan();
        return true;
    }

    private readonly char Current => _position < _text.Length ? _text[_position] : _position < _length ? 'Z' : '\0';

    private JsDateToken Scan()
    {
        var c = Current;
        if (c == '\0')
        {
            return JsDateToken.End;
        }

        if (char.IsAsciiDigit(c))
        {
            // The value keeps the first nine significant digits (leading zeros are not counted), the length all digits.
            var start = _position;
            while (Current == '0')
            {
                _position++;
            }

            var value = 0;
            for (var digits = 0; char.IsAsciiDigit(Current); _position++, digits++)
            {
                if (digits < MaxSignificantDigits)
                {
                    value = value * 10 + (Current - '0');
                }
            }

            return new JsDateToken(JsDateTokenKind.Number, value, _position - start);
        }

        if (c is ':' or '-' or '+' or '.' or ')')
        {
            _position++;
            return new JsDateToken(JsDateTokenKind.Symbol, c, 1);
        }

        if (IsJsWhiteSpace(c))
        {
            _position++;
            return new JsDateToken(JsDateTokenKind.WhiteSpace, 0, 1);
        }

        if (c >= 'A')
        {
            return ScanWord();
        }

        if (c == '(')
        {
            // Skip to the matching ')', nested pairs included, or to the end.
            var depth = 0;
            do
            {
                depth += Current == '(' ? 1 : Current == ')' ? -1 : 0;
                _position++;
            }
            while (depth > 0 && Current != '\0');
        }
        else
        {
            _position++;
        }

        return new JsDateToken(JsDateTokenKind.Unknown, 0, 1);
    }

    private JsDateToken ScanWord()
    {
        var start = _position;
        Span<char> prefix = stackalloc char[3];
        for (; Current >= 'A' && !IsJsWhiteSpace(Current); _position++)
        {
            if (_position - start < 3)
            {
                prefix[_position - start] = char.IsAsciiLetterUpper(Current) ? (char)(Current | 0x20) : Current;
            }
        }

        var length = _position - start;
        var (word, value) = length >= 3 && MonthOf(prefix) is var month and > 0
            ? (JsDateWordKind.Month, month)
            : length > 3 ? (JsDateWordKind.Unknown, 0) : KeywordOf(prefix[..length]);
        return new JsDateToken(JsDateTokenKind.Word, value, length, word);
    }

    private static int MonthOf(ReadOnlySpan<char> prefix) => prefix switch
    {
        "jan" => 1, "feb" => 2, "mar" => 3, "apr" => 4, "may" => 5, "jun" => 6,
        "jul" => 7, "aug" => 8, "sep" => 9, "oct" => 10, "nov" => 11, "dec" => 12,
        _ => 0,
    };

    private static (JsDateWordKind Kind, int Value) KeywordOf(ReadOnlySpan<char> word) => word switch
    {
        "am" => (JsDateWordKind.AmPm, 0),
        "pm" => (JsDateWordKind.AmPm, 12),
        "ut" or "utc" or "z" or "gmt" => (JsDateWordKind.Zone, 0),
        "edt" => (JsDateWordKind.Zone, -4),
        "est" or "cdt" => (JsDateWordKind.Zone, -5),
        "cst" or "mdt" => (JsDateWordKind.Zone, -6),
        "mst" or "pdt" => (JsDateWordKind.Zone, -7),
        "pst" => (JsDateWordKind.Zone, -8),
        "t" => (JsDateWordKind.TimeSeparator, 0),
        _ => (JsDateWordKind.Unknown, 0),
    };

    /// <summary>JavaScript's WhiteSpace characters and the ASCII line ends; V8 reads U+2028 and U+2029 as letters here.</summary>
    private static bool IsJsWhiteSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00A0' or '\u1680' or '\u202F' or '\u205F' or '\u3000' or '\uFEFF' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };
}
