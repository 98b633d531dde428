using System.Globalization;
using PowerSync.Core.SyncRules.Queries;
using PowerSync.Core.SyncRules.Streams;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>The result of reading a YAML document: compiled definitions plus every error and warning.</summary>
internal sealed record SyncRulesDocument(SyncRulesConfig Config, IReadOnlyList<BucketDefinition> Definitions, IReadOnlyList<SyncStream> Streams, IReadOnlyList<SyncRulesError> Problems)
{
    /// <summary>The source tables the compiled queries read, with their columns and positions.</summary>
    public IReadOnlyList<SourceTableReference> References { get; init; } = [];
}

/// <summary>
/// Reads sync-rules YAML with YamlDotNet in one validation pass: aliases, anchors and tags are
/// rejected, unknown keys are named, every query is compiled and all problems are collected.
/// </summary>
internal sealed class SyncRulesYamlReader
{
    private static readonly string[] TopLevelKeys = ["config", "bucket_definitions", "streams", "event_definitions", "with"];
    private static readonly string[] DefinitionKeys = ["parameters", "data", "priority", "accept_potentially_dangerous_queries"];
    private static readonly string[] StreamKeys = ["query", "queries", "auto_subscribe", "priority", "with", "accept_potentially_dangerous_queries"];

    private readonly string _yaml;
    private readonly SyncRulesParseOptions _options;
    private readonly YamlLocator _locator;
    private readonly ErrorSink _errors = new();
    private readonly List<SourceTableReference> _references = [];

    private SyncRulesYamlReader(string yaml, SyncRulesParseOptions options)
    {
        _yaml = yaml;
        _options = options;
        _locator = new YamlLocator(yaml);
    }

    public static SyncRulesDocument Read(string yaml, SyncRulesParseOptions options) => new SyncRulesYamlReader(yaml, options).Read();

    private void Error(YamlNode node, string message, string code) => Error(node.Start, message, code);

    private void Error(Mark mark, string message, string code)
    {
        var (line, column) = YamlLocator.Of(mark);
        _errors.Add(line, column, message, code);
    }

    private SyncRulesDocument Read()
    {
        var config = SyncRulesConfig.ForEdition(1);
        if (!RejectAliasesAndTags())
        {
            return new(config, [], [], _errors.Items);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(_yaml));
        }
        catch (YamlException e)
        {
            Error(e.Start, $"Invalid YAML: {e.InnerException?.Message ?? e.Message}", SyncRulesErrorCodes.YamlSyntax);
            return new(config, [], [], _errors.Items);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new(config, [], [], _errors.Items);
        }

        if (stream.Documents.Count > 1)
        {
            Error(stream.Documents[1].RootNode, "Only one YAML document is allowed: remove the second '---' section", SyncRulesErrorCodes.YamlSyntax);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Error(stream.Documents[0].RootNode, "Sync rules must be a YAML mapping with bucket_definitions and/or streams", SyncRulesErrorCodes.InvalidValue);
            return new(config, [], [], _errors.Items);
        }

        foreach (var (key, value) in root.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (!TopLevelKeys.Contains(name))
            {
                Error(key, $"Unknown top-level key '{name}': expected one of {string.Join(", ", TopLevelKeys)}", SyncRulesErrorCodes.UnknownKey);
            }
        }

        if (Child(root, "config") is { } configNode)
        {
            config = ReadConfig(configNode);
        }

        if (Child(root, "event_definitions") is { } events)
        {
            Error(events, "event_definitions are not supported yet by PowerSync for .NET: remove the section", SyncRulesErrorCodes.NotSupported);
        }

        if (Child(root, "with") is { } with)
        {
            Error(with, "Top-level 'with' (global common table expressions) needs edition 3, which PowerSync for .NET does not support yet", SyncRulesErrorCodes.NotSupported);
        }

        var definitions = new List<BucketDefinition>();
        if (Child(root, "bucket_definitions") is { } defs)
        {
            if (defs is YamlMappingNode map)
            {
                foreach (var (key, value) in map.Children)
                {
                    if (ReadDefinition(((YamlScalarNode)key).Value!, key, value, config) is { } d)
                    {
                        definitions.Add(d);
                    }
                }
            }
            else if (defs is not YamlScalarNode { Value: null or "" })
            {
                Error(defs, "bucket_definitions must be a mapping of bucket names to definitions", SyncRulesErrorCodes.InvalidValue);
            }
        }

        var streams = new List<SyncStream>();
        if (Child(root, "streams") is { } streamsNode)
        {
            if (streamsNode is YamlMappingNode map)
            {
                if (config.Edition < 2)
                {
                    Error(streamsNode, "Sync streams require edition 2 or later: add 'config:' with 'edition: 2'", SyncRulesErrorCodes.InvalidValue);
                }
                else
                {
                    var (line, column) = YamlLocator.Of(streamsNode.Start);
                    _errors.Add(line, column, "Sync Streams are evaluated with the edition 2 (alpha) semantics; edition 3 (compiled streams with joins) is not supported yet", SyncRulesErrorCodes.SqlWarning, warning: true);
                    foreach (var (key, value) in map.Children)
                    {
                        var name = ((YamlScalarNode)key).Value!;
                        if (definitions.Any(d => d.Name == name))
                        {
                            Error(key, $"Stream '{name}' has the same name as a bucket definition: rename one of them", SyncRulesErrorCodes.InvalidValue);
                        }
                        else if (ReadStream(name, value, config) is { } compiled)
                        {
                            streams.Add(compiled);
                        }
                    }
                }
            }
            else if (streamsNode is not YamlScalarNode { Value: null or "" })
            {
                Error(streamsNode, "streams must be a mapping of stream names to definitions", SyncRulesErrorCodes.InvalidValue);
            }
        }

        return new(config, definitions, streams, _errors.Items) { References = _references };
    }

    private bool RejectAliasesAndTags()
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
                        Error(alias.Start, $"YAML aliases are not supported (*{alias.Value}): repeat the value instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                    case NodeEvent node when !node.Anchor.IsEmpty:
                        Error(node.Start, $"YAML anchors are not supported (&{node.Anchor}): repeat the value instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                    case NodeEvent node when !node.Tag.IsEmpty && !node.Tag.IsNonSpecific:
                        Error(node.Start, $"YAML tags are not supported ({node.Tag}): write e.g. 'accept_potentially_dangerous_queries: true' as a key instead", SyncRulesErrorCodes.YamlAliasOrTag);
                        ok = false;
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            Error(e.Start, $"Invalid YAML: {e.InnerException?.Message ?? e.Message}", SyncRulesErrorCodes.YamlSyntax);
            return false;
        }

        return ok;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private SyncRulesConfig ReadConfig(YamlNode node)
    {
        var config = SyncRulesConfig.ForEdition(1);
        if (node is not YamlMappingNode map)
        {
            Error(node, "config must be a mapping (e.g. 'edition: 2')", SyncRulesErrorCodes.InvalidValue);
            return config;
        }

        if (Child(map, "edition") is { } editionNode)
        {
            var edition = ReadInt(editionNode, "edition");
            if (edition is 1 or 2)
            {
                config = SyncRulesConfig.ForEdition(edition.Value);
            }
            else if (edition == 3)
            {
                Error(editionNode, "edition 3 (compiled sync streams) is not supported yet by PowerSync for .NET: use edition 1 or 2", SyncRulesErrorCodes.NotSupported);
            }
            else if (edition is not null)
            {
                Error(editionNode, $"edition must be 1 or 2, not {edition}", SyncRulesErrorCodes.InvalidValue);
            }
        }

        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            switch (name)
            {
                case "edition":
                    break;
                case "timestamps_iso8601":
                    config = config with { TimestampsIso8601 = ReadBool(value, name) ?? config.TimestampsIso8601 };
                    break;
                case "versioned_bucket_ids":
                    config = config with { VersionedBucketIds = ReadBool(value, name) ?? config.VersionedBucketIds };
                    break;
                case "fixed_json_extract":
                    config = config with { FixedJsonExtract = ReadBool(value, name) ?? config.FixedJsonExtract };
                    break;
                case "custom_postgres_types":
                    config = config with { CustomPostgresTypes = ReadBool(value, name) ?? config.CustomPostgresTypes };
                    break;
                case "storage_version" or "timestamp_max_precision" or "unstable_sqlite_expression_engine":
                    Error(key, $"config.{name} is not supported yet by PowerSync for .NET: remove it", SyncRulesErrorCodes.NotSupported);
                    break;
                default:
                    Error(key, $"Unknown config key '{name}': expected edition, timestamps_iso8601, versioned_bucket_ids, fixed_json_extract or custom_postgres_types", SyncRulesErrorCodes.UnknownKey);
                    break;
            }
        }

        return config;
    }

    private int? ReadInt(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } v } && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        Error(node, $"{what} must be an integer", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    private bool? ReadBool(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s)
        {
            return s.Value == "true";
        }

        Error(node, $"{what} must be true or false", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    private SqlSource Source(YamlScalarNode node) => new(node.Value ?? string.Empty, offset => _locator.InScalar(node, offset));

    private List<YamlScalarNode>? ReadQueries(YamlNode node, string what, bool allowSingle)
    {
        if (node is YamlScalarNode single && allowSingle && !string.IsNullOrWhiteSpace(single.Value))
        {
            return [single];
        }

        if (node is YamlSequenceNode seq)
        {
            var result = new List<YamlScalarNode>();
            foreach (var item in seq.Children)
            {
                if (item is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
                {
                    result.Add(s);
                }
                else
                {
                    Error(item, $"Each entry of '{what}' must be one SQL query string", SyncRulesErrorCodes.InvalidValue);
                }
            }

            return result;
        }

        Error(node, allowSingle ? $"'{what}' must be a SQL query or a list of SQL queries" : $"'{what}' must be a list of SQL queries", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    private BucketDefinition? ReadDefinition(string name, YamlNode keyNode, YamlNode node, SyncRulesConfig config)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, $"Bucket definition '{name}' must be a mapping with 'data' (and optionally 'parameters', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        foreach (var (key, _) in map.Children)
        {
            var k = ((YamlScalarNode)key).Value;
            if (!DefinitionKeys.Contains(k))
            {
                Error(key, $"Unknown key '{k}' in bucket definition '{name}': expected one of {string.Join(", ", DefinitionKeys)}", SyncRulesErrorCodes.UnknownKey);
            }
        }

        var errorsBefore = _errors.Items.Count(e => !e.IsWarning);
        var priority = 3;
        if (Child(map, "priority") is { } p)
        {
            var value = ReadInt(p, "priority");
            if (value is < 0 or > 3)
            {
                Error(p, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.InvalidValue);
            }
            else if (value is not null)
            {
                priority = value.Value;
            }
        }

        var accept = Child(map, "accept_potentially_dangerous_queries") is { } a && ReadBool(a, "accept_potentially_dangerous_queries") == true;
        var parameterQueries = new List<ParameterQuery>();
        if (Child(map, "parameters") is { } parametersNode)
        {
            var queries = ReadQueries(parametersNode, "parameters", allowSingle: true) ?? [];
            for (var i = 0; i < queries.Count; i++)
            {
                var source = Source(queries[i]);
                var q = ParameterQueryCompiler.Compile(source, name, i, config, _options.DefaultSchema, _errors);
                if (q is null)
                {
                    continue;
                }

                if (q is TableParameterQuery)
                {
                    TableReferenceCollector.Collect(source, SourceQueryKind.ParameterQuery, name, _options.DefaultSchema, _references);
                }

                if (q.UsesClientParameters && !accept)
                {
                    _errors.AddSql(source, 0,
                        "Potentially dangerous query based on parameters set by the client. The client can send any value for these parameters so it's not a good place to do authorization. Set 'accept_potentially_dangerous_queries: true' on the definition if this is intended.",
                        SyncRulesErrorCodes.SqlWarning, warning: true);
                }

                if (parameterQueries.Count > 0 && !parameterQueries[0].OutputNames.Order(StringComparer.Ordinal).SequenceEqual(q.OutputNames.Order(StringComparer.Ordinal)))
                {
                    _errors.AddSql(source, 0,
                        $"All parameter queries of '{name}' must return the same columns: expected [{string.Join(", ", parameterQueries[0].OutputNames)}], got [{string.Join(", ", q.OutputNames)}]",
                        SyncRulesErrorCodes.SqlInvalid);
                    continue;
                }

                parameterQueries.Add(q);
            }
        }

        var bucketParameters = parameterQueries.Count > 0 ? parameterQueries[0].OutputNames : [];
        var dataQueries = new List<DataQuery>();
        if (Child(map, "data") is { } dataNode)
        {
            foreach (var query in ReadQueries(dataNode, "data", allowSingle: false) ?? [])
            {
                var source = Source(query);
                if (DataQuery.Compile(source, bucketParameters, config, _options.DefaultSchema, _errors) is { } d)
                {
                    dataQueries.Add(d);
                    TableReferenceCollector.Collect(source, SourceQueryKind.DataQuery, name, _options.DefaultSchema, _references);
                }
            }
        }
        else
        {
            Error(keyNode, $"Bucket definition '{name}' has no 'data' queries: add 'data:' with at least one SELECT", SyncRulesErrorCodes.MissingKey);
        }

        var failed = _errors.Items.Count(e => !e.IsWarning) > errorsBefore;
        return failed ? null : new BucketDefinition(name, priority, bucketParameters, parameterQueries, dataQueries);
    }

    private SyncStream? ReadStream(string name, YamlNode node, SyncRulesConfig config)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, $"Stream '{name}' must be a mapping with 'query' (and optionally 'auto_subscribe', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        foreach (var (key, _) in map.Children)
        {
            var k = ((YamlScalarNode)key).Value;
            if (!StreamKeys.Contains(k))
            {
                Error(key, $"Unknown key '{k}' in stream '{name}': expected one of {string.Join(", ", StreamKeys)}", SyncRulesErrorCodes.UnknownKey);
            }
        }

        if (Child(map, "queries") is { } queries)
        {
            Error(queries, "'queries' (several queries per stream) needs edition 3, which PowerSync for .NET does not support yet: use one 'query'", SyncRulesErrorCodes.NotSupported);
        }

        if (Child(map, "with") is { } with)
        {
            Error(with, "Stream-local 'with' (common table expressions) needs edition 3, which PowerSync for .NET does not support yet", SyncRulesErrorCodes.NotSupported);
        }

        var autoSubscribe = Child(map, "auto_subscribe") is { } a && ReadBool(a, "auto_subscribe") == true;
        var priority = 3;
        if (Child(map, "priority") is { } p && ReadInt(p, "priority") is { } value)
        {
            if (value is < 0 or > 3)
            {
                Error(p, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.InvalidValue);
            }
            else
            {
                priority = value;
            }
        }

        if (Child(map, "accept_potentially_dangerous_queries") is { } d)
        {
            ReadBool(d, "accept_potentially_dangerous_queries");
        }

        if (Child(map, "query") is not YamlScalarNode { Value: { Length: > 0 } } query)
        {
            if (Child(map, "queries") is null)
            {
                Error(node, $"Stream '{name}' needs a 'query' (one SELECT)", SyncRulesErrorCodes.MissingKey);
            }

            return null;
        }

        var source = Source(query);
        var stream = StreamCompiler.Compile(name, source, autoSubscribe, priority, config, _options.DefaultSchema, _errors);
        if (stream is not null)
        {
            TableReferenceCollector.Collect(source, SourceQueryKind.StreamQuery, name, _options.DefaultSchema, _references);
        }

        return stream;
    }
}
