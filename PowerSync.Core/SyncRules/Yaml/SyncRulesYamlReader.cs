using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// Reads sync-rules YAML with YamlDotNet into a <see cref="SyncRulesDocument"/>, compiling nothing:
/// aliases, anchors and tags are rejected (except the official <c>!accept_potentially_dangerous_queries</c>
/// tag, read as the official parser reads it), unknown keys are named, values are checked, and every
/// problem is kept with the part of the document it was found in.
/// </summary>
internal sealed partial class SyncRulesYamlReader
{
    private const int DefaultPriority = 3;
    private const string AcceptDangerousKey = "accept_potentially_dangerous_queries";
    private static readonly string[] TopLevelKeys = ["config", "bucket_definitions", "streams", "event_definitions", "with"];
    private static readonly string[] DefinitionKeys = ["parameters", "data", "priority", AcceptDangerousKey];
    private static readonly string[] StreamKeys = ["query", "queries", "auto_subscribe", "priority", "with", AcceptDangerousKey];

    private readonly string _yaml;
    private readonly YamlLocator _locator;

    private SyncRulesYamlReader(string yaml)
    {
        _yaml = yaml;
        _locator = new YamlLocator(yaml);
    }

    public static SyncRulesDocument Read(string yaml) => new SyncRulesYamlReader(yaml).Read();

    private SyncRulesDocument Read()
    {
        var problems = new ErrorSink();
        var config = SyncRulesConfig.ForEdition(1);
        if (!RejectAliasesAndTags(problems) || LoadRoot(problems) is not { } root)
        {
            if (problems.Items.Count == 0)
            {
                problems.Add(1, 1, "The sync rules are empty: they need 'bucket_definitions' or 'streams'", SyncRulesErrorCodes.MissingKey, false);
            }

            return SyncRulesDocument.Empty(config, problems.Items);
        }

        ReportUnknownTopLevelKeys(root, problems);
        if (IsAbsent(Child(root, "bucket_definitions")) && IsAbsent(Child(root, "streams")))
        {
            Report(problems, root, "The sync rules need 'bucket_definitions' or 'streams'", SyncRulesErrorCodes.MissingKey);
        }

        if (Child(root, "config") is { } configNode)
        {
            config = ReadConfig(configNode, problems);
        }

        ReportUnsupportedSections(root, problems, config);
        if (config.Edition >= 3)
        {
            // Compiled streams: bucket_definitions are not supported (reported by the edition-3 reader).
            return Edition3Document(root, config, problems);
        }

        return new SyncRulesDocument(config, problems.Items, ReadDefinitions(root), ReadStreams(root, config)) { EventPayloads = ReadEventPayloads(root) };
    }

    private static void Report(ErrorSink problems, YamlNode node, string message, string code) => Report(problems, node.Start, message, code);

    private static void Report(ErrorSink problems, Mark mark, string message, string code, bool warning = false)
    {
        var (line, column) = YamlLocator.Of(mark);
        problems.Add(line, column, message, code, warning);
    }

    private bool RejectAliasesAndTags(ErrorSink problems)
    {
        var parser = new Parser(new StringReader(_yaml));
        var ok = true;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case AnchorAlias alias:
                        Report(problems, alias.Start, $"YAML aliases are not supported (*{alias.Value}): repeat the value instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                    case NodeEvent node when !node.Anchor.IsEmpty:
                        Report(problems, node.Start, $"YAML anchors are not supported (&{node.Anchor}): repeat the value instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                    case NodeEvent node when !node.Tag.IsEmpty && !node.Tag.IsNonSpecific && node.Tag.Value != DangerousQueriesTag.Tag:
                        Report(problems, node.Start, $"YAML tags are not supported ({node.Tag}): write e.g. 'accept_potentially_dangerous_queries: true' as a key instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            Report(problems, e.Start, $"Invalid YAML: {e.InnerException?.Message ?? e.Message}", SyncRulesErrorCodes.YamlSyntax);
            return false;
        }

        return ok;
    }

    /// <summary>The root mapping of the (only) YAML document; null when the text is empty or has no mapping to read.</summary>
    private YamlMappingNode? LoadRoot(ErrorSink problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(_yaml));
        }
        catch (YamlException e)
        {
            Report(problems, e.Start, $"Invalid YAML: {e.InnerException?.Message ?? e.Message}", SyncRulesErrorCodes.YamlSyntax);
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" } empty && !DangerousQueriesTag.IsTagged(empty))
        {
            return null;
        }

        if (!DangerousQueriesTag.Resolve(stream.Documents[0].RootNode, problems))
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            Report(problems, stream.Documents[1].RootNode, "Only one YAML document is allowed: remove the second '---' section", SyncRulesErrorCodes.YamlSyntax);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Report(problems, stream.Documents[0].RootNode, "Sync rules must be a YAML mapping with bucket_definitions and/or streams", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        return root;
    }

    private static void ReportUnknownTopLevelKeys(YamlMappingNode root, ErrorSink problems)
    {
        foreach (var (key, _) in root.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (!TopLevelKeys.Contains(name))
            {
                Report(problems, key, $"Unknown top-level key '{name}': expected one of {string.Join(", ", TopLevelKeys)}", SyncRulesErrorCodes.UnknownKey);
            }
        }
    }

    private static void ReportUnsupportedSections(YamlMappingNode root, ErrorSink problems, SyncRulesConfig config)
    {
        if (config.Edition < 3 && Child(root, "with") is { } with)
        {
            Report(problems, with, "Top-level 'with' (global common table expressions) needs edition 3: set 'edition: 3' in config", SyncRulesErrorCodes.NotSupported);
        }
    }

    private static bool IsAbsent(YamlNode? node) => node is null or YamlScalarNode { Value: null or "" or "~" or "null" };

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static SyncRulesConfig ReadConfig(YamlNode node, ErrorSink problems)
    {
        var config = SyncRulesConfig.ForEdition(1);
        if (node is not YamlMappingNode map)
        {
            Report(problems, node, "config must be a mapping (e.g. 'edition: 2')", SyncRulesErrorCodes.InvalidValue);
            return config;
        }

        if (Child(map, "edition") is { } editionNode)
        {
            var edition = ReadInt(editionNode, "edition", problems);
            if (edition is 1 or 2 or 3)
            {
                config = SyncRulesConfig.ForEdition(edition.Value);
            }
            else if (edition is not null)
            {
                Report(problems, editionNode, $"edition must be 1, 2 or 3, not {edition}", SyncRulesErrorCodes.InvalidValue);
            }
        }

        YamlNode? sqliteEngine = null;
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            switch (name)
            {
                case "edition":
                    break;
                case "timestamps_iso8601":
                    config = config with { TimestampsIso8601 = ReadBool(value, name, problems) ?? config.TimestampsIso8601 };
                    break;
                case "versioned_bucket_ids":
                    config = config with { VersionedBucketIds = ReadBool(value, name, problems) ?? config.VersionedBucketIds };
                    break;
                case "fixed_json_extract":
                    config = config with { FixedJsonExtract = ReadBool(value, name, problems) ?? config.FixedJsonExtract };
                    break;
                case "custom_postgres_types":
                    config = config with { CustomPostgresTypes = ReadBool(value, name, problems) ?? config.CustomPostgresTypes };
                    break;
                case "storage_version":
                    config = config with { StorageVersion = ReadStorageVersion(value, problems) };
                    break;
                case "timestamp_max_precision":
                    config = config with { TimestampMaxPrecision = ReadTimestampPrecision(value, problems) };
                    break;
                case "unstable_sqlite_expression_engine":
                    // Accepted as the official service accepts it; this evaluator's results are the same either way.
                    sqliteEngine = ReadBool(value, name, problems) == true ? key : null;
                    break;
                default:
                    Report(problems, key, $"Unknown config key '{name}': expected edition, storage_version, timestamps_iso8601, timestamp_max_precision, versioned_bucket_ids, fixed_json_extract, custom_postgres_types or unstable_sqlite_expression_engine", SyncRulesErrorCodes.UnknownKey);
                    break;
            }
        }

        if (sqliteEngine is not null && config.Edition < 2)
        {
            Report(problems, sqliteEngine, "Enabling unstable_sqlite_expression_engine requires edition 2 or later", SyncRulesErrorCodes.InvalidValue);
        }
        else if (sqliteEngine is not null && !config.FixedJsonExtract)
        {
            Report(problems, sqliteEngine, "Enabling unstable_sqlite_expression_engine requires fixed_json_extract", SyncRulesErrorCodes.InvalidValue);
        }

        if (config.TimestampMaxPrecision is not null && !config.TimestampsIso8601)
        {
            Report(problems, map, "'timestamp_max_precision' requires 'timestamps_iso8601' to be enabled", SyncRulesErrorCodes.InvalidValue);
        }

        return config;
    }

    private static int? ReadInt(YamlNode node, string what, ErrorSink problems)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } v } && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        Report(problems, node, $"{what} must be an integer", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    private static bool? ReadBool(YamlNode node, string what, ErrorSink problems)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s)
        {
            return s.Value == "true";
        }

        Report(problems, node, $"{what} must be true or false", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    /// <summary><c>priority:</c> of a definition or stream: 0 to 3, <see cref="DefaultPriority"/> when absent or invalid.</summary>
    private static int ReadPriority(YamlMappingNode map, ErrorSink problems)
    {
        if (Child(map, "priority") is not { } node || ReadInt(node, "priority", problems) is not { } value)
        {
            return DefaultPriority;
        }

        if (value is < 0 or > 3)
        {
            Report(problems, node, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.InvalidValue);
            return DefaultPriority;
        }

        return value;
    }

    private static void ReportUnknownKeys(YamlMappingNode map, string[] known, string owner, ErrorSink problems)
    {
        foreach (var (key, _) in map.Children)
        {
            var k = ((YamlScalarNode)key).Value;
            if (!known.Contains(k))
            {
                Report(problems, key, $"Unknown key '{k}' in {owner}: expected one of {string.Join(", ", known)}", SyncRulesErrorCodes.UnknownKey);
            }
        }
    }

    private SqlSource Source(YamlScalarNode node) => new(node.Value ?? string.Empty, offset => _locator.InScalar(node, offset));

    /// <summary>The queries of <c>parameters:</c> or <c>data:</c>: one SQL string (where allowed) or a list of them.</summary>
    private DocumentSection<SqlSource> ReadQueries(YamlNode node, string what, bool allowSingle)
    {
        if (node is YamlScalarNode single && allowSingle && !string.IsNullOrWhiteSpace(single.Value))
        {
            return new([], [Source(single)]);
        }

        var problems = new ErrorSink();
        if (node is YamlSequenceNode seq)
        {
            var queries = new List<SqlSource>();
            foreach (var item in seq.Children)
            {
                if (item is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
                {
                    queries.Add(Source(s));
                }
                else
                {
                    Report(problems, item, $"Each entry of '{what}' must be one SQL query string", SyncRulesErrorCodes.InvalidValue);
                }
            }

            return new(problems.Items, queries);
        }

        Report(problems, node, allowSingle ? $"'{what}' must be a SQL query or a list of SQL queries" : $"'{what}' must be a list of SQL queries", SyncRulesErrorCodes.InvalidValue);
        return new(problems.Items, []);
    }

    /// <summary><c>event_definitions</c>: a mapping of event names to <c>payloads</c>, a list of SQL queries.</summary>
    private DocumentSection<SqlSource> ReadEventPayloads(YamlMappingNode root)
    {
        var node = Child(root, "event_definitions");
        var problems = new ErrorSink();
        var payloads = new List<SqlSource>();
        if (node is null)
        {
            return DocumentSection<SqlSource>.Empty;
        }

        if (node is not YamlMappingNode events)
        {
            Report(problems, node, "event_definitions must be a mapping of event names to definitions with 'payloads'", SyncRulesErrorCodes.InvalidValue);
            return new(problems.Items, []);
        }

        foreach (var (key, value) in events.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (value is not YamlMappingNode definition)
            {
                Report(problems, value, $"Event definition '{name}' must be a mapping with 'payloads'", SyncRulesErrorCodes.InvalidValue);
                continue;
            }

            ReportUnknownKeys(definition, ["payloads"], $"event definition '{name}'", problems);
            if (Child(definition, "payloads") is not YamlSequenceNode list)
            {
                Report(problems, definition, $"Event definition '{name}' needs 'payloads', a list of SQL queries", SyncRulesErrorCodes.MissingKey);
                continue;
            }

            foreach (var item in list.Children)
            {
                if (item is YamlScalarNode { Value.Length: > 0 } scalar)
                {
                    payloads.Add(Source(scalar));
                }
                else
                {
                    Report(problems, item, "Payload queries for events must be SQL strings", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }

        return new(problems.Items, payloads);
    }

    /// <summary><c>storage_version</c>: 2 (stable) or 3 (unstable, with a warning), as the official service accepts.</summary>
    private static int? ReadStorageVersion(YamlNode node, ErrorSink problems)
    {
        if (node is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
        {
            Report(problems, node, "Storage version must be numeric", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        switch (version)
        {
            case 2:
                return version;
            case 3:
                Report(problems, node.Start, "Storage version 3 is unstable, and may cause unexpected behavior or stop functioning in any release", SyncRulesErrorCodes.SqlWarning, warning: true);
                return version;
            default:
                Report(problems, node, $"Storage version {version} is not supported: use 2 (or the unstable 3)", SyncRulesErrorCodes.InvalidValue);
                return null;
        }
    }

    /// <summary><c>timestamp_max_precision</c>: the fraction digits of seconds, milliseconds, microseconds or nanoseconds.</summary>
    private static int? ReadTimestampPrecision(YamlNode node, ErrorSink problems)
    {
        int? digits = (node as YamlScalarNode)?.Value switch
        {
            "seconds" => 0,
            "milliseconds" => 3,
            "microseconds" => 6,
            "nanoseconds" => 9,
            _ => null,
        };
        if (digits is null)
        {
            Report(problems, node, "timestamp_max_precision must be seconds, milliseconds, microseconds or nanoseconds", SyncRulesErrorCodes.InvalidValue);
        }

        return digits;
    }

    private DocumentSection<BucketDefinitionEntry> ReadDefinitions(YamlMappingNode root)
    {
        var node = Child(root, "bucket_definitions");
        if (node is YamlMappingNode map)
        {
            return new([], map.Children.Select(e => ReadDefinition(((YamlScalarNode)e.Key).Value!, e.Key, e.Value)).ToList());
        }

        var problems = new ErrorSink();
        if (node is not (null or YamlScalarNode { Value: null or "" }))
        {
            Report(problems, node, "bucket_definitions must be a mapping of bucket names to definitions", SyncRulesErrorCodes.InvalidValue);
        }

        return new(problems.Items, []);
    }

    private BucketDefinitionEntry ReadDefinition(string name, YamlNode keyNode, YamlNode node)
    {
        var problems = new ErrorSink();
        if (node is not YamlMappingNode map)
        {
            Report(problems, node, $"Bucket definition '{name}' must be a mapping with 'data' (and optionally 'parameters', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return new(name, DefaultPriority, false, [], problems.Items, DocumentSection<SqlSource>.Empty, DocumentSection<SqlSource>.Empty);
        }

        var unknownKeys = new ErrorSink();
        ReportUnknownKeys(map, DefinitionKeys, $"bucket definition '{name}'", unknownKeys);
        var priority = ReadPriority(map, problems);
        var accept = Child(map, AcceptDangerousKey) is { } a && ReadBool(a, AcceptDangerousKey, problems) == true;
        var parameters = Child(map, "parameters") is { } parametersNode
            ? ReadQueries(parametersNode, "parameters", allowSingle: true)
            : DocumentSection<SqlSource>.Empty;
        var data = Child(map, "data") is { } dataNode
            ? ReadQueries(dataNode, "data", allowSingle: false)
            : MissingData(name, keyNode);
        return new(name, priority, accept, unknownKeys.Items, problems.Items, parameters, data) { HasPriority = Child(map, "priority") is not null };
    }

    private static DocumentSection<SqlSource> MissingData(string name, YamlNode keyNode)
    {
        var problems = new ErrorSink();
        Report(problems, keyNode, $"Bucket definition '{name}' has no 'data' queries: add 'data:' with at least one SELECT", SyncRulesErrorCodes.MissingKey);
        return new(problems.Items, []);
    }

    private DocumentSection<StreamEntry> ReadStreams(YamlMappingNode root, SyncRulesConfig config)
    {
        var node = Child(root, "streams");
        var problems = new ErrorSink();
        if (node is YamlMappingNode map)
        {
            if (config.Edition < 2)
            {
                Report(problems, node, "Sync streams require edition 2 or later: add 'config:' with 'edition: 2'", SyncRulesErrorCodes.InvalidValue);
                return new(problems.Items, []);
            }

            Report(problems, node.Start, "This is using an alpha version of Sync Streams (edition 2 semantics); set 'edition: 3' in config for compiled streams with joins and several queries", SyncRulesErrorCodes.SqlWarning, warning: true);
            return new(problems.Items, map.Children.Select(e => ReadStream(((YamlScalarNode)e.Key).Value!, e.Key, e.Value)).ToList());
        }

        if (node is not (null or YamlScalarNode { Value: null or "" }))
        {
            Report(problems, node, "streams must be a mapping of stream names to definitions", SyncRulesErrorCodes.InvalidValue);
        }

        return new(problems.Items, []);
    }

    private StreamEntry ReadStream(string name, YamlNode keyNode, YamlNode node)
    {
        var problems = new ErrorSink();
        var (line, column) = YamlLocator.Of(keyNode.Start);
        if (node is not YamlMappingNode map)
        {
            Report(problems, node, $"Stream '{name}' must be a mapping with 'query' (and optionally 'auto_subscribe', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return new(name, line, column, problems.Items, false, DefaultPriority, null);
        }

        ReportUnknownKeys(map, StreamKeys, $"stream '{name}'", problems);
        if (Child(map, "queries") is { } queries)
        {
            Report(problems, queries, "'queries' (several queries per stream) needs edition 3: set 'edition: 3' in config, or use one 'query'", SyncRulesErrorCodes.NotSupported);
        }

        if (Child(map, "with") is { } with)
        {
            Report(problems, with, "Stream-local 'with' (common table expressions) needs edition 3: set 'edition: 3' in config", SyncRulesErrorCodes.NotSupported);
        }

        var autoSubscribe = Child(map, "auto_subscribe") is { } a && ReadBool(a, "auto_subscribe", problems) == true;
        var priority = ReadPriority(map, problems);
        if (Child(map, AcceptDangerousKey) is { } d)
        {
            ReadBool(d, AcceptDangerousKey, problems);
        }

        SqlSource? query = null;
        if (Child(map, "query") is YamlScalarNode { Value: { Length: > 0 } } queryNode)
        {
            query = Source(queryNode);
        }
        else if (Child(map, "queries") is null)
        {
            Report(problems, node, $"Stream '{name}' needs a 'query' (one SELECT)", SyncRulesErrorCodes.MissingKey);
        }

        return new(name, line, column, problems.Items, autoSubscribe, priority, query);
    }
}
