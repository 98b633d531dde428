using System.Text;

namespace PowerSync.Core.Replication;

/// <summary>One bound pair of a range value in text form; <see cref="IsEmpty"/> for Postgres' <c>empty</c>.</summary>
internal sealed record RangeText(string? Lower, string? Upper, bool LowerExclusive, bool UpperExclusive, bool IsEmpty)
{
    public static readonly RangeText Empty = new(null, null, false, false, true);
}

/// <summary>
/// Splits Postgres' text output of structured values (arrays, composites, ranges, multiranges) into
/// their element texts. Elements stay undecoded text; <see cref="PostgresValueMapper"/> decodes them
/// by element type. Throws <see cref="FormatException"/> on malformed input.
/// </summary>
internal ref struct PostgresTextStructure
{
    private readonly string _source;
    private int _offset;

    public PostgresTextStructure(string source)
    {
        _source = source;
        _offset = 0;
    }

    /// <summary>
    /// Parses an array (any number of dimensions, optional <c>[1:2]=</c> bounds prefix). Each item of
    /// the result is a string (an element), null (SQL NULL) or a nested <see cref="List{T}"/>.
    /// </summary>
    public static List<object?> ParseArray(string text, char delimiter)
    {
        var parser = new PostgresTextStructure(text);
        parser.SkipDimensions();
        var result = parser.ArrayInner(delimiter);
        parser.ExpectEnd();
        return result;
    }

    /// <summary>Parses a composite value <c>(a,"b c",)</c> into its fields; an empty field is NULL.</summary>
    public static List<string?> ParseComposite(string text)
    {
        var parser = new PostgresTextStructure(text);
        var fields = new List<string?>();
        parser.Consume('(');
        do
        {
            var c = parser.Current;
            if (c is ',' or ')') fields.Add(null);
            else if (c == '"') fields.Add(parser.Quoted(doubledQuoteEscapes: true));
            else fields.Add(parser.Unquoted(',', ')', illegalA: '"', illegalB: '('));
        }
        while (parser.TryConsume(','));
        parser.Consume(')');
        parser.ExpectEnd();
        return fields;
    }

    /// <summary>Parses a range <c>[1,5)</c>, <c>(,3]</c> or <c>empty</c>.</summary>
    public static RangeText ParseRange(string text)
    {
        var parser = new PostgresTextStructure(text);
        var range = parser.RangeInner();
        parser.ExpectEnd();
        return range;
    }

    /// <summary>Parses a multirange <c>{[1,3),[5,7)}</c>.</summary>
    public static List<RangeText> ParseMultirange(string text)
    {
        var parser = new PostgresTextStructure(text);
        var ranges = new List<RangeText>();
        parser.Consume('{');
        if (!parser.TryConsume('}'))
        {
            do ranges.Add(parser.RangeInner());
            while (parser.TryConsume(','));
            parser.Consume('}');
        }
        parser.ExpectEnd();
        return ranges;
    }

    private readonly char Current => _offset < _source.Length ? _source[_offset] : throw Error("unexpected end of input");

    private void SkipDimensions()
    {
        if (_source.Length == 0 || _source[0] != '[') return;
        var equals = _source.IndexOf("]=", StringComparison.Ordinal);
        if (equals < 0) throw Error("malformed array dimensions");
        _offset = equals + 2;
    }

    private List<object?> ArrayInner(char delimiter)
    {
        Consume('{');
        var elements = new List<object?>();
        if (TryConsume('}')) return elements;
        do
        {
            var c = Current;
            if (c == '{')
            {
                elements.Add(ArrayInner(delimiter));
            }
            else if (c == '"')
            {
                elements.Add(Quoted(doubledQuoteEscapes: false));
            }
            else
            {
                var value = Unquoted(delimiter, '}', illegalA: '"', illegalB: '{');
                elements.Add(value == "NULL" ? null : value);
            }
        }
        while (TryConsume(delimiter));
        Consume('}');
        return elements;
    }

    private RangeText RangeInner()
    {
        bool lowerExclusive;
        switch (Current)
        {
            case '(':
                lowerExclusive = true;
                _offset++;
                break;
            case '[':
                lowerExclusive = false;
                _offset++;
                break;
            case 'e':
                foreach (var c in "empty") Consume(c);
                return RangeText.Empty;
            default:
                throw Error("expected '[', '(' or 'empty'");
        }

        string? lower = null;
        if (Current == '"') lower = Quoted(doubledQuoteEscapes: true);
        else if (Current != ',') lower = Unquoted(',', ',', illegalA: '\0', illegalB: '\0');
        Consume(',');

        string? upper = null;
        if (Current == '"') upper = Quoted(doubledQuoteEscapes: true);
        else if (Current is not (')' or ']')) upper = Unquoted(')', ']', illegalA: '\0', illegalB: '\0');

        bool upperExclusive;
        switch (Current)
        {
            case ')': upperExclusive = true; break;
            case ']': upperExclusive = false; break;
            default: throw Error("expected ']' or ')'");
        }
        _offset++;
        return new RangeText(lower, upper, lowerExclusive, upperExclusive, IsEmpty: false);
    }

    private string Quoted(bool doubledQuoteEscapes)
    {
        Consume('"');
        var buffer = new StringBuilder();
        while (true)
        {
            var c = Current;
            if (c == '"')
            {
                if (doubledQuoteEscapes && _offset + 1 < _source.Length && _source[_offset + 1] == '"')
                {
                    buffer.Append('"');
                    _offset += 2;
                    continue;
                }
                _offset++;
                return buffer.ToString();
            }
            if (c == '\\')
            {
                _offset++;
                buffer.Append(Current);
                _offset++;
                continue;
            }
            buffer.Append(c);
            _offset++;
        }
    }

    private string Unquoted(char endA, char endB, char illegalA, char illegalB)
    {
        var start = _offset;
        _offset++;
        while (true)
        {
            var c = Current;
            if (c == endA || c == endB) break;
            if (c == illegalA || c == illegalB) throw Error($"unexpected '{c}' in an unquoted element");
            _offset++;
        }
        return _source[start.._offset];
    }

    private void Consume(char expected)
    {
        if (Current != expected) throw Error($"expected '{expected}', got '{Current}'");
        _offset++;
    }

    private bool TryConsume(char expected)
    {
        if (_offset < _source.Length && _source[_offset] == expected)
        {
            _offset++;
            return true;
        }
        return false;
    }

    private readonly void ExpectEnd()
    {
        if (_offset != _source.Length) throw Error("unexpected trailing text");
    }

    private readonly FormatException Error(string what) =>
        new($"Malformed Postgres structured value at position {_offset}: {what}.");
}
