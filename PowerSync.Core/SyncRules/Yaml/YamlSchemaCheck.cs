using System.Text;
using System.Text.Json;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// The official reader's last check, made once the document has been read without errors: the whole document
/// converted to plain values (aliases followed) against the sync-rules JSON schema. Converting follows the
/// <c>yaml</c> package: an alias whose anchor is not defined before it fails, and so does an anchor aliased too
/// often for its size (the package's guard against alias bombs: an anchor's uses times the aliases nested in it
/// may not exceed 100), so expansion stays bounded.
/// </summary>
internal static class YamlSchemaCheck
{
    private const int MaxAliasCount = 100;

    /// <summary>
    /// Weighing anchors may revisit a node once per alias (an anchor that weighs 0, such as a list of aliases to
    /// empty lists, is weighed again at each use): past this many visits the document is refused.
    /// </summary>
    private const int MaxWeighingVisits = 1_000_000;
    private static readonly string[] TopLevel = ["bucket_definitions", "with", "streams", "event_definitions", "config"];
    private static readonly string[] DefinitionKeys = ["accept_potentially_dangerous_queries", "priority", "parameters", "data"];
    private static readonly string[] ConfigFlags = ["timestamps_iso8601", "versioned_bucket_ids", "fixed_json_extract", "custom_postgres_types", "unstable_sqlite_expression_engine"];
    private static readonly string[] Precisions = ["seconds", "milliseconds", "microseconds", "nanoseconds"];

    /// <summary>The first problem of <paramref name="root"/>: where it is and what it is; null when the document passes.</summary>
    public static (YamlTreeNode Node, string Message)? Check(YamlMap root)
    {
        if (CountAliases(root) is { } aliasProblem)
        {
            return aliasProblem;
        }

        var properties = Properties(root);
        foreach (var (name, (key, _)) in properties)
        {
            if (!TopLevel.Contains(name))
            {
                return (key, $"Unknown top-level key '{name}'");
            }
        }

        if (!properties.ContainsKey("bucket_definitions") && !properties.ContainsKey("streams"))
        {
            return (root, "The sync rules need 'bucket_definitions' or 'streams'");
        }

        return CheckObject(properties, "bucket_definitions", CheckDefinition)
            ?? CheckObject(properties, "streams", CheckStream)
            ?? CheckObject(properties, "event_definitions", CheckEvent)
            ?? CheckObject(properties, "with", (_, v) => IsString(v) ? null : (v, "A common table expression must be a SELECT statement"))
            ?? CheckConfig(properties);
    }

    private static YamlTreeNode? Resolve(YamlTreeNode? node) => node is YamlAliasRef a ? a.Target : node;

    /// <summary>A mapping's properties by name, as JavaScript builds the object (a later key replaces an earlier one).</summary>
    private static Dictionary<string, (YamlTreeNode Key, YamlTreeNode Value)> Properties(YamlMap map)
    {
        var result = new Dictionary<string, (YamlTreeNode, YamlTreeNode)>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Pairs)
        {
            var resolved = Resolve(key) ?? key;
            var name = resolved switch
            {
                YamlScalarValue { Value.Kind: JsKind.Null } => string.Empty,
                YamlScalarValue s => s.Value.Text,
                _ => Json(resolved),
            };
            result[name] = (key, value);
        }

        return result;
    }

    private static (YamlTreeNode, string)? CheckObject(
        Dictionary<string, (YamlTreeNode Key, YamlTreeNode Value)> properties,
        string name,
        Func<string, YamlTreeNode, (YamlTreeNode, string)?> checkEntry)
    {
        if (!properties.TryGetValue(name, out var entry))
        {
            return null;
        }

        if (Resolve(entry.Value) is not YamlMap map)
        {
            return IsObject(entry.Value) ? null : (entry.Value, $"'{name}' must be a mapping");
        }

        foreach (var (entryName, (_, value)) in Properties(map))
        {
            if (checkEntry(entryName, value) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static (YamlTreeNode, string)? CheckDefinition(string name, YamlTreeNode node)
    {
        if (Resolve(node) is not YamlMap map)
        {
            return (node, $"Bucket definition '{name}' must be a mapping");
        }

        var properties = Properties(map);
        if (properties.Keys.FirstOrDefault(k => !DefinitionKeys.Contains(k)) is { } unknown)
        {
            return (properties[unknown].Key, $"Unknown key '{unknown}' in bucket definition '{name}'");
        }

        if (!properties.ContainsKey("data"))
        {
            return (node, $"Bucket definition '{name}' has no 'data' queries");
        }

        return Typed(properties, "accept_potentially_dangerous_queries", IsBoolean, "must be true or false")
            ?? Typed(properties, "priority", IsInteger, "must be an integer")
            ?? Typed(properties, "parameters", v => IsString(v) || IsStringArray(v), "must be a SQL query or a list of SQL queries")
            ?? Typed(properties, "data", IsStringArray, "must be a list of SQL queries");
    }

    private static (YamlTreeNode, string)? CheckStream(string name, YamlTreeNode node)
    {
        if (Resolve(node) is not YamlMap map)
        {
            return IsObject(node) ? null : (node, $"Stream '{name}' must be a mapping");
        }

        var properties = Properties(map);
        return Typed(properties, "accept_potentially_dangerous_queries", IsBoolean, "must be true or false")
            ?? Typed(properties, "auto_subscribe", IsBoolean, "must be true or false")
            ?? Typed(properties, "priority", IsInteger, "must be an integer")
            ?? Typed(properties, "query", IsString, "must be a SELECT statement")
            ?? Typed(properties, "queries", IsStringArray, "must be a list of SELECT statements")
            ?? Typed(properties, "with", v => Resolve(v) is YamlMap m ? Properties(m).Values.All(e => IsString(e.Value)) : IsObject(v), "must be a mapping of names to SELECT statements");
    }

    private static (YamlTreeNode, string)? CheckEvent(string name, YamlTreeNode node)
    {
        if (Resolve(node) is not YamlMap map)
        {
            return IsObject(node) ? null : (node, $"Event definition '{name}' must be a mapping");
        }

        var properties = Properties(map);
        return !properties.ContainsKey("payloads")
            ? (node, $"Event definition '{name}' needs 'payloads'")
            : Typed(properties, "payloads", IsStringArray, "must be a list of SQL queries");
    }

    private static (YamlTreeNode, string)? CheckConfig(Dictionary<string, (YamlTreeNode Key, YamlTreeNode Value)> top)
    {
        if (!top.TryGetValue("config", out var entry))
        {
            return null;
        }

        if (Resolve(entry.Value) is not YamlMap map)
        {
            return IsObject(entry.Value) ? null : (entry.Value, "config must be a mapping");
        }

        var properties = Properties(map);
        foreach (var (name, (key, value)) in properties)
        {
            var ok = name switch
            {
                "edition" => IsInteger(value) && Number(value) is >= 1 and < 4,
                "storage_version" => IsInteger(value) && Number(value) is 2 or 3,
                "timestamp_max_precision" => Resolve(value) is YamlScalarValue { Value.Kind: JsKind.String } s && Precisions.Contains(s.Value.Text),
                _ when ConfigFlags.Contains(name) => IsBoolean(value),
                _ => false,
            };
            if (!ok)
            {
                return (key, $"Invalid config value for '{name}'");
            }
        }

        return null;
    }

    private static (YamlTreeNode, string)? Typed(
        Dictionary<string, (YamlTreeNode Key, YamlTreeNode Value)> properties, string name, Func<YamlTreeNode, bool> ok, string message) =>
        properties.TryGetValue(name, out var entry) && !ok(entry.Value) ? (entry.Value, $"'{name}' {message}") : null;

    private static JsValue? Scalar(YamlTreeNode node) => (Resolve(node) as YamlScalarValue)?.Value;

    private static double Number(YamlTreeNode node) => Scalar(node)?.Number ?? double.NaN;

    private static bool IsBoolean(YamlTreeNode node) => Scalar(node)?.Kind == JsKind.Bool;

    private static bool IsInteger(YamlTreeNode node) => Scalar(node) is { Kind: JsKind.Number, Number: var d } && double.IsInteger(d);

    /// <summary>A string once converted: a string scalar or a date (dates convert to their ISO text).</summary>
    private static bool IsString(YamlTreeNode node) => Scalar(node)?.Kind is JsKind.String or JsKind.Date;

    /// <summary>A JSON object once converted: a mapping, an ordered map, or bytes (a Buffer).</summary>
    private static bool IsObject(YamlTreeNode node) => Resolve(node) switch
    {
        YamlMap => true,
        YamlList { Kind: YamlSequenceKind.OrderedMap } => true,
        YamlScalarValue { Value.Kind: JsKind.Bytes } => true,
        _ => false,
    };

    private static bool IsStringArray(YamlTreeNode node) => Resolve(node) switch
    {
        YamlList { Kind: YamlSequenceKind.List } list => list.Items.All(IsString),
        YamlList { Kind: YamlSequenceKind.Pairs, Items.Count: 0 } => true,
        _ => false,
    };

    /// <summary>
    /// Converts the document as the <c>yaml</c> package does, only counting: every alias must have an anchor
    /// before it, and an anchored node may be aliased only while its uses times its nested alias count stay within
    /// <see cref="MaxAliasCount"/>. Each node is visited once (an alias reuses its anchor's value).
    /// </summary>
    private static (YamlTreeNode, string)? CountAliases(YamlTreeNode root)
    {
        var counts = new Dictionary<YamlTreeNode, (int Count, long AliasCount)>(ReferenceEqualityComparer.Instance);
        var visits = 0;
        var stack = new Stack<YamlTreeNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            switch (node)
            {
                case YamlAliasRef alias:
                    if (alias.Target is not { } target)
                    {
                        return (alias, $"Unresolved alias (the anchor must be set before the alias): {alias.Name}");
                    }

                    var (count, aliasCount) = counts.GetValueOrDefault(target, (1, 0));
                    count++;
                    if (aliasCount == 0)
                    {
                        aliasCount = AliasCount(target, counts, ref visits);
                        if (visits > MaxWeighingVisits)
                        {
                            return (alias, "Excessive alias count indicates a resource exhaustion attack");
                        }
                    }

                    counts[target] = (count, aliasCount);
                    if (count * aliasCount > MaxAliasCount)
                    {
                        return (alias, "Excessive alias count indicates a resource exhaustion attack");
                    }

                    break;
                case YamlMap map:
                    for (var i = map.Pairs.Count - 1; i >= 0; i--)
                    {
                        stack.Push(map.Pairs[i].Value);
                        stack.Push(map.Pairs[i].Key);
                    }

                    break;
                case YamlList list:
                    for (var i = list.Items.Count - 1; i >= 0; i--)
                    {
                        stack.Push(list.Items[i]);
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>The aliases nested in <paramref name="node"/>, as the package weighs an anchor (a scalar is 1, an empty collection 0).</summary>
    private static long AliasCount(YamlTreeNode node, Dictionary<YamlTreeNode, (int Count, long AliasCount)> counts, ref int visits)
    {
        visits++;
        switch (node)
        {
            case YamlAliasRef alias:
                return alias.Target is { } t && counts.TryGetValue(t, out var c) ? c.Count * c.AliasCount : 0;
            case YamlMap map:
                long max = 0;
                foreach (var (k, v) in map.Pairs)
                {
                    max = Math.Max(max, Math.Max(AliasCount(k, counts, ref visits), AliasCount(v, counts, ref visits)));
                }

                return max;
            case YamlList list:
                long most = 0;
                foreach (var item in list.Items)
                {
                    most = Math.Max(most, AliasCount(item, counts, ref visits));
                }

                return most;
            default:
                return 1;
        }
    }

    /// <summary>A collection key as the official reader names it: the collection as JSON (aliases followed one level).</summary>
    public static string Json(YamlTreeNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, YamlTreeNode? node, int depth)
    {
        node = Resolve(node);
        if (depth > 32)
        {
            sb.Append("null");
            return;
        }

        switch (node)
        {
            case YamlMap map:
                sb.Append('{');
                var first = true;
                foreach (var (name, (_, value)) in Properties(map))
                {
                    sb.Append(first ? string.Empty : ",").Append(JsonSerializer.Serialize(name)).Append(':');
                    Write(sb, value, depth + 1);
                    first = false;
                }

                sb.Append('}');
                break;
            case YamlList list:
                sb.Append('[');
                for (var i = 0; i < list.Items.Count; i++)
                {
                    sb.Append(i == 0 ? string.Empty : ",");
                    Write(sb, list.Items[i], depth + 1);
                }

                sb.Append(']');
                break;
            case YamlScalarValue { Value: var v }:
                sb.Append(v.Kind switch
                {
                    JsKind.Null => "null",
                    JsKind.Bool => v.Text,
                    JsKind.Number => double.IsFinite(v.Number) ? JsNumberFormat.Format(v.Number) : "null",
                    _ => JsonSerializer.Serialize(v.Text),
                });
                break;
            default:
                sb.Append("null");
                break;
        }
    }
}
