using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PowerSync.Core.SyncRules.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>A node of a sync-rules YAML document as the official reader sees it (the npm <c>yaml</c> package's document model).</summary>
/// <remarks>
/// Aliases stay alias nodes (<see cref="YamlAliasRef"/>): where the official reader asks whether a value is a map, a
/// sequence or a scalar, an alias is none of them; only its final check of the whole document (a JSON schema over
/// the document converted to plain values) follows them.
/// </remarks>
internal abstract class YamlTreeNode(Mark start, Mark end, string? anchor)
{
    public Mark Start { get; } = start;

    public Mark End { get; } = end;

    public string? Anchor { get; } = anchor;
}

/// <summary>A scalar with its text as written and its value resolved by the YAML 1.2 core schema and its tag.</summary>
internal sealed class YamlScalarValue(Mark start, Mark end, string? anchor, string source, ScalarStyle style, JsValue value)
    : YamlTreeNode(start, end, anchor)
{
    public string Source { get; } = source;

    public ScalarStyle Style { get; } = style;

    public JsValue Value { get; } = value;
}

/// <summary>A mapping, its pairs in document order (a <c>!!set</c> is a mapping too).</summary>
internal sealed class YamlMap(Mark start, Mark end, string? anchor, IReadOnlyList<KeyValuePair<YamlTreeNode, YamlTreeNode>> pairs, bool isSet)
    : YamlTreeNode(start, end, anchor)
{
    public IReadOnlyList<KeyValuePair<YamlTreeNode, YamlTreeNode>> Pairs { get; } = pairs;

    public bool IsSet { get; } = isSet;

    /// <summary>The value of the key whose scalar value is the string <paramref name="key"/> (alias keys never match).</summary>
    public YamlTreeNode? Get(string key)
    {
        foreach (var (k, v) in Pairs)
        {
            if (k is YamlScalarValue { Value: { Kind: JsKind.String } s } && s.Text == key)
            {
                return v;
            }
        }

        return null;
    }
}

/// <summary>How a sequence converts to plain values: a list, or (<c>!!omap</c>) an ordered map, or (<c>!!pairs</c>) a list of one-pair maps.</summary>
internal enum YamlSequenceKind
{
    List,
    OrderedMap,
    Pairs,
}

/// <summary>A sequence; under <c>!!omap</c> and <c>!!pairs</c> its items are pairs, never scalars.</summary>
internal sealed class YamlList(Mark start, Mark end, string? anchor, IReadOnlyList<YamlTreeNode> items, YamlSequenceKind kind)
    : YamlTreeNode(start, end, anchor)
{
    public IReadOnlyList<YamlTreeNode> Items { get; } = items;

    public YamlSequenceKind Kind { get; } = kind;

    /// <summary>Item <paramref name="i"/> as a scalar, or null (an alias, a collection, or an item of a pair sequence).</summary>
    public YamlScalarValue? ScalarItem(int i) => Kind == YamlSequenceKind.List ? Items[i] as YamlScalarValue : null;
}

/// <summary>An alias: <see cref="Target"/> is the last node with its anchor before it, null when there is none.</summary>
internal sealed class YamlAliasRef(Mark start, Mark end, string name, YamlTreeNode? target) : YamlTreeNode(start, end, null)
{
    public string Name { get; } = name;

    public YamlTreeNode? Target => target is YamlPlaceholder p ? p.Resolved : target;
}

/// <summary>An anchored collection while it is being read: aliases inside it resolve to the finished collection.</summary>
internal sealed class YamlPlaceholder() : YamlTreeNode(Mark.Empty, Mark.Empty, null)
{
    public YamlTreeNode? Resolved { get; set; }
}

/// <summary>The JavaScript type of a resolved scalar.</summary>
internal enum JsKind
{
    Null,
    Bool,
    Number,
    String,
    Symbol,
    Bytes,
    Date,
}

/// <summary>A scalar's resolved value with what <c>String(value)</c> gives for it in JavaScript (<see cref="Text"/>).</summary>
internal readonly record struct JsValue(JsKind Kind, string Text, double Number = 0, bool Bool = false)
{
    public static JsValue Null { get; } = new(JsKind.Null, "null");

    public static JsValue Str(string s) => new(JsKind.String, s);

    public static JsValue Num(double d) => new(JsKind.Number, JsNumberFormat.Format(d), d);

    public static JsValue Boolean(bool b) => new(JsKind.Bool, b ? "true" : "false", Bool: b);

    /// <summary>Strict equality (<c>===</c>) of two scalar values, as the duplicate-key check compares keys.</summary>
    public bool StrictlyEquals(JsValue other) => Kind == other.Kind && Kind switch
    {
        JsKind.Null => true,
        JsKind.Bool => Bool == other.Bool,
        JsKind.Number => Number == other.Number,
        JsKind.String or JsKind.Symbol => Text == other.Text,
        _ => false, // objects (bytes, dates) are distinct
    };
}

/// <summary>
/// Builds a <see cref="YamlTreeNode"/> tree from YamlDotNet's parser events, resolving scalars as the official reader
/// does: the YAML 1.2 core schema (with the <c>yaml</c> package's known tags <c>!!binary</c>, <c>!!timestamp</c>,
/// <c>!!omap</c>, <c>!!pairs</c>, <c>!!set</c>) plus the custom <c>!accept_potentially_dangerous_queries</c> tag.
/// Tags it cannot resolve leave the value a string. Problems the official parser reports as errors are collected.
/// </summary>
internal sealed partial class YamlTreeBuilder
{
    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    /// <summary>Deeper documents are refused (reading recurses once per level).</summary>
    internal const int MaxDepth = 1000;
    private readonly IParser _parser;
    private readonly Dictionary<string, YamlTreeNode> _anchors = new(StringComparer.Ordinal);
    private readonly ErrorSink _problems;
    private int _depth;

    private YamlTreeBuilder(IParser parser, ErrorSink problems)
    {
        _parser = parser;
        _problems = problems;
    }

    /// <summary>The documents of <paramref name="yaml"/>' (each null when empty); YAML syntax errors throw <see cref="YamlException"/>.</summary>
    public static List<YamlTreeNode?> Load(string yaml, ErrorSink problems)
    {
        var builder = new YamlTreeBuilder(new Parser(new StringReader(yaml)), problems);
        return builder.LoadDocuments();
    }

    private List<YamlTreeNode?> LoadDocuments()
    {
        var documents = new List<YamlTreeNode?>();
        _parser.Consume<StreamStart>();
        while (!_parser.TryConsume<StreamEnd>(out _))
        {
            _parser.Consume<DocumentStart>();
            var root = _parser.Accept<DocumentEnd>(out _) ? null : Node();
            _parser.Consume<DocumentEnd>();
            documents.Add(root);
            _anchors.Clear();
        }

        return documents;
    }

    private void Problem(Mark mark, string message)
    {
        var (line, column) = YamlLocator.Of(mark);
        _problems.Add(line, column, message, SyncRulesErrorCodes.YamlSyntax);
    }

    private YamlTreeNode Node()
    {
        switch (_parser.Current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                return new YamlAliasRef(alias.Start, alias.End, alias.Value.Value, _anchors.GetValueOrDefault(alias.Value.Value));
            case YamlDotNet.Core.Events.Scalar scalar:
            {
                _parser.MoveNext();
                var node = new YamlScalarValue(scalar.Start, scalar.End, AnchorOf(scalar), scalar.Value, scalar.Style, Resolve(scalar));
                Register(scalar, node);
                return node;
            }

            case SequenceStart or MappingStart when _depth >= MaxDepth:
                throw new YamlException(_parser.Current.Start, _parser.Current.End, $"The YAML nests more than {MaxDepth} levels deep");
            case SequenceStart start:
                _depth++;
                var sequence = Sequence(start);
                _depth--;
                return sequence;
            case MappingStart start:
                _depth++;
                var mapping = Mapping(start);
                _depth--;
                return mapping;
            default:
                throw new YamlException(_parser.Current!.Start, _parser.Current.End, $"Unexpected {_parser.Current.GetType().Name}");
        }
    }

    private static string? AnchorOf(NodeEvent e) => e.Anchor.IsEmpty ? null : e.Anchor.Value;

    private static string? TagOf(NodeEvent e) => e.Tag.IsEmpty ? null : e.Tag.Value;

    private void Register(NodeEvent e, YamlTreeNode node)
    {
        if (AnchorOf(e) is { } anchor)
        {
            _anchors[anchor] = node;
        }
    }

    private YamlList Sequence(SequenceStart start)
    {
        _parser.MoveNext();
        var kind = TagOf(start) switch
        {
            YamlTagPrefix + "omap" => YamlSequenceKind.OrderedMap,
            YamlTagPrefix + "pairs" => YamlSequenceKind.Pairs,
            _ => YamlSequenceKind.List,
        };
        var items = new List<YamlTreeNode>();
        // The anchor is known inside the sequence already: an alias in it refers to the sequence itself.
        var placeholder = new YamlPlaceholder();
        if (AnchorOf(start) is { } anchor)
        {
            _anchors[anchor] = placeholder;
        }

        while (!_parser.TryConsume<SequenceEnd>(out _))
        {
            items.Add(Node());
        }

        var node = new YamlList(start.Start, _parser.Current?.Start ?? start.End, AnchorOf(start), items, kind);
        placeholder.Resolved = node;
        Register(start, node);
        return node;
    }

    private YamlMap Mapping(MappingStart start)
    {
        _parser.MoveNext();
        var isSet = TagOf(start) == YamlTagPrefix + "set";
        var pairs = new List<KeyValuePair<YamlTreeNode, YamlTreeNode>>();
        var placeholder = new YamlPlaceholder();
        if (AnchorOf(start) is { } anchor)
        {
            _anchors[anchor] = placeholder;
        }

        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var key = Node();
            var value = Node();
            foreach (var (existing, _) in pairs)
            {
                if (ReferenceEquals(existing, key) || existing is YamlScalarValue a && key is YamlScalarValue b && a.Value.StrictlyEquals(b.Value))
                {
                    Problem(key.Start, $"Map keys must be unique: '{SyncRulesYamlReader.NameOf(key)}' is repeated");
                    break;
                }
            }

            if (isSet && value is not YamlScalarValue { Value.Kind: JsKind.Null })
            {
                Problem(start.Start, "Set items must all have null values");
                isSet = false;
            }

            pairs.Add(new(key, value));
        }

        var node = new YamlMap(start.Start, _parser.Current?.Start ?? start.End, AnchorOf(start), pairs, TagOf(start) == YamlTagPrefix + "set");
        placeholder.Resolved = node;
        Register(start, node);
        return node;
    }

    private JsValue Resolve(YamlDotNet.Core.Events.Scalar scalar)
    {
        var text = scalar.Value;
        var tag = TagOf(scalar);
        if (tag is null)
        {
            return scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? ResolvePlain(text) ?? JsValue.Str(text) : JsValue.Str(text);
        }

        switch (tag)
        {
            case "!":
            case YamlTagPrefix + "str":
                return JsValue.Str(text);
            case DangerousQueriesTag.Tag:
                return new JsValue(JsKind.Symbol, DangerousQueriesTag.SymbolText);
            case YamlTagPrefix + "null" when NullPattern().IsMatch(text):
                return JsValue.Null;
            case YamlTagPrefix + "bool" when BoolPattern().IsMatch(text):
                return JsValue.Boolean(text[0] is 't' or 'T');
            case YamlTagPrefix + "int" when ResolveInt(text) is { } i:
                return i;
            case YamlTagPrefix + "float" when ResolveFloat(text) is { } f:
                return f;
            case YamlTagPrefix + "binary":
                return Binary(text);
            case YamlTagPrefix + "timestamp":
                return Timestamp(text) ?? Invalid(scalar, "!!timestamp expects a date, starting with yyyy-mm-dd");
            default:
                // Unresolved tag (a warning officially): the value is the text.
                return JsValue.Str(text);
        }
    }

    private JsValue Invalid(YamlDotNet.Core.Events.Scalar scalar, string message)
    {
        Problem(scalar.Start, message);
        return JsValue.Str(scalar.Value);
    }

    /// <summary>An untagged plain scalar: null, a boolean, an integer or a float of the core schema; null when it is a string.</summary>
    internal static JsValue? ResolvePlain(string text) =>
        NullPattern().IsMatch(text) ? JsValue.Null
        : BoolPattern().IsMatch(text) ? JsValue.Boolean(text[0] is 't' or 'T')
        : ResolveInt(text) ?? ResolveFloat(text);

    private static JsValue? ResolveInt(string text)
    {
        if (OctPattern().IsMatch(text))
        {
            return JsValue.Num((double)ParseRadix(text[2..], 8));
        }

        if (IntPattern().IsMatch(text))
        {
            return JsValue.Num(double.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        return HexPattern().IsMatch(text) ? JsValue.Num((double)ParseRadix(text[2..], 16)) : null;
    }

    private static System.Numerics.BigInteger ParseRadix(string digits, int radix)
    {
        var value = System.Numerics.BigInteger.Zero;
        foreach (var c in digits)
        {
            value = value * radix + Convert.ToInt32(c.ToString(), 16);
        }

        return value;
    }

    private static JsValue? ResolveFloat(string text)
    {
        if (NanPattern().IsMatch(text))
        {
            return JsValue.Num(text.EndsWith("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN
                : text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity);
        }

        return ExpPattern().IsMatch(text) || FloatPattern().IsMatch(text)
            ? JsValue.Num(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary><c>!!binary</c>: base64 decoded leniently (as Node's <c>Buffer.from(text, 'base64')</c>); its text is the bytes as UTF-8.</summary>
    private static JsValue Binary(string text)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            int v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' or '-' => 62,
                '/' or '_' => 63,
                '=' => -2,
                _ => -1,
            };
            if (v == -2)
            {
                break;
            }

            if (v < 0)
            {
                continue;
            }

            buffer = (buffer << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return new JsValue(JsKind.Bytes, Encoding.UTF8.GetString(bytes.ToArray()));
    }

    /// <summary><c>!!timestamp</c>: a date; its text is JavaScript's <c>Date#toString()</c> in UTC.</summary>
    private static JsValue? Timestamp(string text)
    {
        var m = TimestampPattern().Match(text);
        if (!m.Success)
        {
            return null;
        }

        int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        var fraction = m.Groups[7].Success ? (m.Groups[7].Value + "00")[..3] : "0";
        var ms = new DateTime(Part(1), 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(Part(2) - 1).AddDays(Part(3) - 1)
            .AddHours(Part(4)).AddMinutes(Part(5)).AddSeconds(Part(6)).AddMilliseconds(int.Parse(fraction, CultureInfo.InvariantCulture));
        if (m.Groups[8].Success && m.Groups[8].Value != "Z")
        {
            var sign = m.Groups[8].Value[0] == '-' ? -1 : 1;
            var offset = m.Groups[8].Value[1..].Split(':');
            var minutes = int.Parse(offset[0], CultureInfo.InvariantCulture) * 60 + (offset.Length > 1 ? int.Parse(offset[1], CultureInfo.InvariantCulture) : 0);
            ms = ms.AddMinutes(-sign * minutes);
        }

        var s = ms.ToString("ddd MMM dd yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " GMT+0000 (Coordinated Universal Time)";
        return new JsValue(JsKind.Date, s);
    }

    [GeneratedRegex("^(?:~|[Nn]ull|NULL)?$")]
    private static partial Regex NullPattern();

    [GeneratedRegex("^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$")]
    private static partial Regex BoolPattern();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctPattern();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex NanPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$")]
    private static partial Regex ExpPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:t|T|[ \t]+)([0-9][0-9]?):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$")]
    private static partial Regex TimestampPattern();
}
