using System.Globalization;
using System.Text;

namespace PowerSync.Core.SyncRules.Json;

/// <summary>Thrown for text that is not valid JSON.</summary>
internal sealed class JsonSyntaxException(string message) : Exception(message);

/// <summary>
/// A strict JSON parser. In exact mode (JSONBig) integer literals stay integers; in plain mode
/// (JavaScript <c>JSON.parse</c>) every number is a double, losing precision above 2^53.
/// </summary>
internal ref struct JsonParser
{
    private readonly ReadOnlySpan<char> _text;
    private readonly bool _plainNumbers;
    private int _pos;
    private int _depth;

    private JsonParser(ReadOnlySpan<char> text, bool plainNumbers)
    {
        _text = text;
        _plainNumbers = plainNumbers;
        _pos = 0;
        _depth = 0;
    }

    /// <summary>Parses JSON text; throws <see cref="JsonSyntaxException"/> when invalid.</summary>
    public static JsonNode Parse(string text, bool plainNumbers = false)
    {
        var p = new JsonParser(text, plainNumbers);
        p.SkipWhitespace();
        var node = p.ParseValue();
        p.SkipWhitespace();
        if (p._pos != p._text.Length)
        {
            throw new JsonSyntaxException($"Unexpected character at position {p._pos} in JSON");
        }

        return node;
    }

    /// <summary>Parses JSON text, or returns null when invalid.</summary>
    public static JsonNode? TryParse(string text, bool plainNumbers = false)
    {
        try
        {
            return Parse(text, plainNumbers);
        }
        catch (JsonSyntaxException)
        {
            return null;
        }
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private JsonSyntaxException Error(string what) => new($"{what} at position {_pos} in JSON");

    private JsonNode ParseValue()
    {
        if (_pos >= _text.Length)
        {
            throw Error("Unexpected end");
        }

        var c = _text[_pos];
        switch (c)
        {
            case '{': return ParseObject();
            case '[': return ParseArray();
            case '"': return JsonNode.FromString(ParseString());
            case 't': Expect("true"); return JsonNode.TrueNode;
            case 'f': Expect("false"); return JsonNode.FalseNode;
            case 'n': Expect("null"); return JsonNode.NullNode;
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber();
                }

                throw Error($"Unexpected character '{c}'");
        }
    }

    private void Expect(string word)
    {
        if (!_text[_pos..].StartsWith(word, StringComparison.Ordinal))
        {
            throw Error("Unexpected token");
        }

        _pos += word.Length;
    }

    private JsonNode ParseObject()
    {
        if (++_depth > 512)
        {
            throw Error("Nesting too deep");
        }

        _pos++;
        var props = new List<KeyValuePair<string, JsonNode>>();
        SkipWhitespace();
        if (_pos < _text.Length && _text[_pos] == '}')
        {
            _pos++;
            _depth--;
            return JsonNode.FromObject(props);
        }

        while (true)
        {
            SkipWhitespace();
            if (_pos >= _text.Length || _text[_pos] != '"')
            {
                throw Error("Expected a property name");
            }

            var key = ParseString();
            SkipWhitespace();
            if (_pos >= _text.Length || _text[_pos] != ':')
            {
                throw Error("Expected ':'");
            }

            _pos++;
            SkipWhitespace();
            props.Add(new(key, ParseValue()));
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_pos < _text.Length && _text[_pos] == '}')
            {
                _pos++;
                _depth--;
                return JsonNode.FromObject(props);
            }

            throw Error("Expected ',' or '}'");
        }
    }

    private JsonNode ParseArray()
    {
        if (++_depth > 512)
        {
            throw Error("Nesting too deep");
        }

        _pos++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (_pos < _text.Length && _text[_pos] == ']')
        {
            _pos++;
            _depth--;
            return JsonNode.FromArray(items);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ParseValue());
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_pos < _text.Length && _text[_pos] == ']')
            {
                _pos++;
                _depth--;
                return JsonNode.FromArray(items);
            }

            throw Error("Expected ',' or ']'");
        }
    }

    private string ParseString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("Unterminated string");
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c < 0x20)
            {
                throw Error("Control character in string");
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= _text.Length)
            {
                throw Error("Unterminated escape");
            }

            var e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.Slice(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("Bad unicode escape");
                    }

                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Error("Bad escape");
            }
        }
    }

    private JsonNode ParseNumber()
    {
        var start = _pos;
        if (_text[_pos] == '-')
        {
            _pos++;
        }

        if (_pos >= _text.Length || !char.IsAsciiDigit(_text[_pos]))
        {
            throw Error("Bad number");
        }

        if (_text[_pos] == '0')
        {
            _pos++;
        }
        else
        {
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }
        }

        var isInteger = true;
        if (_pos < _text.Length && _text[_pos] == '.')
        {
            isInteger = false;
            _pos++;
            var digitsStart = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos == digitsStart)
            {
                throw Error("Bad number");
            }
        }

        if (_pos < _text.Length && _text[_pos] is 'e' or 'E')
        {
            isInteger = false;
            _pos++;
            if (_pos < _text.Length && _text[_pos] is '+' or '-')
            {
                _pos++;
            }

            var digitsStart = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos == digitsStart)
            {
                throw Error("Bad number");
            }
        }

        var span = _text[start.._pos];
        if (isInteger && !_plainNumbers)
        {
            if (long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return JsonNode.FromInteger(l);
            }

            var digits = span.ToString();
            return JsonNode.FromBigInteger(digits == "-0" ? "0" : digits);
        }

        return JsonNode.FromReal(double.Parse(span, NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
