using YamlDotNet.RepresentationModel;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// The YAML tag <c>!accept_potentially_dangerous_queries</c>, accepted as the official parser accepts it:
/// it registers the tag for scalars only, resolving a tagged scalar to a JavaScript symbol whose text is
/// <c>Symbol(ACCEPT_POTENTIALLY_DANGEROUS_QUERIES)</c>. On a mapping or a sequence the tag changes nothing;
/// a tagged scalar, key or value, reads as that text (a tagged query is a syntax error, a tagged boolean or
/// priority is invalid, a tagged definition name is that name). It does not accept anything: that is the
/// <c>accept_potentially_dangerous_queries: true</c> key.
/// </summary>
internal static class DangerousQueriesTag
{
    public const string Tag = "!accept_potentially_dangerous_queries";

    /// <summary>What a tagged scalar reads as (JavaScript's <c>String(symbol)</c>).</summary>
    public const string SymbolText = "Symbol(ACCEPT_POTENTIALLY_DANGEROUS_QUERIES)";

    public static bool IsTagged(YamlNode node) => !node.Tag.IsEmpty && !node.Tag.IsNonSpecific && node.Tag.Value == Tag;

    /// <summary>Replaces every tagged scalar under <paramref name="node"/> by the symbol's text; false when two keys of a mapping then collide.</summary>
    public static bool Resolve(YamlNode node, ErrorSink problems)
    {
        switch (node)
        {
            case YamlScalarNode scalar when IsTagged(scalar):
                scalar.Value = SymbolText;
                scalar.Style = YamlDotNet.Core.ScalarStyle.Plain;
                return true;
            case YamlSequenceNode sequence:
                return sequence.Children.All(child => Resolve(child, problems));
            case YamlMappingNode mapping:
                var ok = true;
                var entries = mapping.Children.ToList();
                var tagged = false;
                foreach (var (key, value) in entries)
                {
                    tagged |= key is YamlScalarNode && IsTagged(key);
                    ok &= Resolve(key, problems) & Resolve(value, problems);
                }

                if (!tagged)
                {
                    return ok;
                }

                // A key's text changed: rebuild the mapping so that lookups hash the new text.
                mapping.Children.Clear();
                foreach (var (key, value) in entries)
                {
                    if (!mapping.Children.TryAdd(key, value))
                    {
                        var (line, column) = YamlLocator.Of(key.Start);
                        problems.Add(line, column, $"Duplicate key '{SymbolText}': the YAML tag {Tag} reads as that text", SyncRulesErrorCodes.YamlSyntax, false);
                        ok = false;
                    }
                }

                return ok;
            default:
                return true;
        }
    }
}
