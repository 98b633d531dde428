using YamlDotNet.Core;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>Maps positions inside YAML scalars (such as SQL queries) back to 1-based YAML line/column.</summary>
internal sealed class YamlLocator
{
    private readonly string _text;
    private readonly List<int> _lineStarts = [0];

    public YamlLocator(string text)
    {
        _text = text;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public (int Line, int Column) FromIndex(long index)
    {
        var i = (int)Math.Clamp(index, 0, _text.Length);
        var line = _lineStarts.BinarySearch(i);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return (line + 1, i - _lineStarts[line] + 1);
    }

    public static (int Line, int Column) Of(Mark mark) => ((int)mark.Line, (int)mark.Column);

    /// <summary>
    /// The YAML position of character <paramref name="offset"/> of a scalar's value: walks the raw
    /// text from the scalar start, matching the value's non-space characters (works for plain,
    /// quoted, literal and folded scalars; escapes inside double quotes may shift it slightly).
    /// </summary>
    public (int Line, int Column) InScalar(YamlScalarValue node, int offset)
    {
        var value = node.Source;
        var raw = (int)node.Start.Index;
        var end = Math.Min(_text.Length, (int)node.End.Index + 1);
        if (node.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            var nl = _text.IndexOf('\n', raw);
            raw = nl < 0 ? raw : nl + 1;
        }
        else if (node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)
        {
            raw++;
        }

        for (var i = 0; i < offset && i < value.Length && raw < end; i++)
        {
            var c = value[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            while (raw < end && _text[raw] != c)
            {
                raw++;
            }

            raw++;
        }

        while (offset < value.Length && raw < end && char.IsWhiteSpace(_text[raw]))
        {
            raw++;
        }

        return FromIndex(raw);
    }
}
