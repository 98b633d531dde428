using System.Globalization;
using YamlDotNet.Core;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// Reads sync-rules YAML into a <see cref="SyncRulesDocument"/>, compiling nothing, as the official reader reads
/// it (<see cref="YamlTreeBuilder"/>: values by the YAML 1.2 core schema and their tags, anchors and aliases kept
/// as written): where it expects a mapping, a list or a query, an alias is not followed and is an error; where it
/// reads a flag, an alias reads as false; a final check follows every alias (<see cref="YamlSchemaCheck"/>).
/// Unknown keys are named, values are checked, and every problem is kept with the part of the document it was
/// found in.
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
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

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
        if (LoadRoot(problems) is not { } root)
        {
            if (problems.Items.Count == 0)
            {
                problems.Add(1, 1, "The sync rules are empty: they need 'bucket_definitions' or 'streams'", SyncRulesErrorCodes.MissingKey, false);
            }

            return SyncRulesDocument.Empty(config, problems.Items);
        }

        ReportUnknownTopLevelKeys(root, problems);
        if (IsAbsent(root.Get("bucket_definitions")) && IsAbsent(root.Get("streams")))
        {
            Report(problems, root, "The sync rules need 'bucket_definitions' or 'streams'", SyncRulesErrorCodes.MissingKey);
        }

        if (root.Get("config") is { } configNode)
        {
            config = ReadConfig(configNode, problems);
        }

        ReportUnsupportedSections(root, problems, config);
        var document = config.Edition >= 3
            ? Edition3Document(root, config, problems) // Compiled streams: bucket_definitions are not supported (reported by the edition-3 reader).
            : new SyncRulesDocument(config, problems.Items, ReadDefinitions(root), ReadStreams(root, config)) { EventPayloads = ReadEventPayloads(root) };
        return WithSchemaCheck(document, root);
    }

    /// <summary>A problem of <paramref name="node"/>; when the node is an alias, the problem is that it is not followed there.</summary>
    private static void Report(ErrorSink problems, YamlTreeNode node, string message, string code)
    {
        if (node is YamlAliasRef alias)
        {
            message = $"The YAML alias *{alias.Name} is not followed here (as in the official service): write the value out. {message}";
            code = SyncRulesErrorCodes.YamlAliasOrTag;
        }

        Report(problems, node.Start, message, code);
    }

    private static void Report(ErrorSink problems, Mark mark, string message, string code, bool warning = false)
    {
        var (line, column) = YamlLocator.Of(mark);
        problems.Add(line, column, message, code, warning);
    }

    /// <summary>The root mapping of the (only) YAML document; null when the text is empty or has no mapping to read.</summary>
    private YamlMap? LoadRoot(ErrorSink problems)
    {
        List<YamlTreeNode?> documents;
        try
        {
            documents = YamlTreeBuilder.Load(_yaml, problems);
        }
        catch (YamlException e)
        {
            Report(problems, e.Start, $"Invalid YAML: {e.InnerException?.Message ?? e.Message}", SyncRulesErrorCodes.YamlSyntax);
            return null;
        }

        if (problems.ErrorCount > 0)
        {
            return null;
        }

        if (documents.Count > 1)
        {
            Report(problems, documents[1]?.Start ?? Mark.Empty, "Only one YAML document is allowed: remove the second '---' section", SyncRulesErrorCodes.YamlSyntax);
            return null;
        }

        var root = documents.Count == 0 ? null : documents[0];
        if (root is null or YamlScalarValue { Value.Kind: JsKind.Null })
        {
            return null;
        }

        if (root is not YamlMap map)
        {
            Report(problems, root, "Sync rules must be a YAML mapping with bucket_definitions and/or streams", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        return map;
    }

    private static void ReportUnknownTopLevelKeys(YamlMap root, ErrorSink problems)
    {
        foreach (var (key, _) in root.Pairs)
        {
            // An alias key is not read here: the schema check sees what it stands for.
            if (key is not YamlAliasRef && NameOf(key) is var name && !TopLevelKeys.Contains(name))
            {
                Report(problems, key, $"Unknown top-level key '{name}': expected one of {string.Join(", ", TopLevelKeys)}", SyncRulesErrorCodes.UnknownKey);
            }
        }
    }

    private static void ReportUnsupportedSections(YamlMap root, ErrorSink problems, SyncRulesConfig config)
    {
        if (config.Edition < 3 && !IsAbsent(root.Get("with")) && root.Get("with") is { } with)
        {
            Report(problems, with, "Top-level 'with' (global common table expressions) needs edition 3: set 'edition: 3' in config", SyncRulesErrorCodes.NotSupported);
        }
    }

    /// <summary>Missing, or a null scalar (the official reader's <c>get(key) == null</c>).</summary>
    private static bool IsAbsent(YamlTreeNode? node) => node is null or YamlScalarValue { Value.Kind: JsKind.Null };

    /// <summary>
    /// A key as the official reader names a definition (<c>key.toString()</c>): a scalar's JavaScript text
    /// (<c>0x10</c> is <c>16</c>, <c>~</c> is <c>null</c>), an alias as written (<c>*name</c>), a collection as JSON.
    /// </summary>
    internal static string NameOf(YamlTreeNode key) => key switch
    {
        YamlScalarValue s => s.Value.Text,
        YamlAliasRef a => "*" + a.Name,
        _ => YamlSchemaCheck.Json(key),
    };

    private static int? ReadInt(YamlTreeNode node, string what, ErrorSink problems)
    {
        if (node is YamlScalarValue { Value: { Kind: JsKind.Number, Number: var d } } && double.IsInteger(d) && Math.Abs(d) < int.MaxValue)
        {
            return (int)d;
        }

        Report(problems, node, $"{what} must be an integer", SyncRulesErrorCodes.InvalidValue);
        return null;
    }

    /// <summary>
    /// A boolean flag. An alias reads as false, as the official reader reads it (its final schema check then
    /// requires the aliased value to be a boolean).
    /// </summary>
    private static bool? ReadBool(YamlTreeNode node, string what, ErrorSink problems)
    {
        switch (node)
        {
            case YamlAliasRef:
                return false;
            case YamlScalarValue { Value: { Kind: JsKind.Bool, Bool: var b } }:
                return b;
            default:
                Report(problems, node, $"{what} must be true or false", SyncRulesErrorCodes.InvalidValue);
                return null;
        }
    }

    /// <summary><c>priority:</c> of a definition or stream: 0 to 3, <see cref="DefaultPriority"/> when absent or invalid.</summary>
    private static int ReadPriority(YamlMap map, ErrorSink problems)
    {
        if (map.Get("priority") is not { } node)
        {
            return DefaultPriority;
        }

        if (node is YamlScalarValue { Value: { Kind: JsKind.Number, Number: var value } } && double.IsInteger(value) && value is >= 0 and <= 3)
        {
            return (int)value;
        }

        Report(problems, node, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.InvalidValue);
        return DefaultPriority;
    }

    private static void ReportUnknownKeys(YamlMap map, string[] known, string owner, ErrorSink problems)
    {
        foreach (var (key, _) in map.Pairs)
        {
            if (key is not YamlAliasRef && NameOf(key) is var k && !known.Contains(k))
            {
                Report(problems, key, $"Unknown key '{k}' in {owner}: expected one of {string.Join(", ", known)}", SyncRulesErrorCodes.UnknownKey);
            }
        }
    }

    /// <summary>A query: the scalar's text as the official reader takes it (<c>String(value)</c>).</summary>
    private SqlSource Source(YamlScalarValue node) => new(node.Value.Text, offset => _locator.InScalar(node, offset));

    /// <summary>
    /// <c>parameters:</c> (one query or a list of them; anything else, an alias included, is no parameter query)
    /// or <c>data:</c> (a list of queries).
    /// </summary>
    private DocumentSection<SqlSource> ReadQueries(YamlTreeNode node, string what, bool allowSingle)
    {
        if (node is YamlScalarValue single && allowSingle)
        {
            return new([], [Source(single)]);
        }

        var problems = new ErrorSink();
        if (node is YamlList seq)
        {
            var queries = new List<SqlSource>();
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (seq.ScalarItem(i) is { } s)
                {
                    queries.Add(Source(s));
                }
                else
                {
                    Report(problems, seq.Items[i], $"Each entry of '{what}' must be one SQL query string", SyncRulesErrorCodes.InvalidValue);
                }
            }

            return new(problems.Items, queries);
        }

        if (!allowSingle)
        {
            Report(problems, node, $"'{what}' must be a list of SQL queries", SyncRulesErrorCodes.InvalidValue);
        }
        else if (node is YamlMap)
        {
            Report(problems, node, $"'{what}' must be a SQL query or a list of SQL queries", SyncRulesErrorCodes.InvalidValue);
        }

        return new(problems.Items, []);
    }

    /// <summary><c>event_definitions</c>: a mapping of event names to <c>payloads</c>, a list of SQL queries.</summary>
    private DocumentSection<SqlSource> ReadEventPayloads(YamlMap root)
    {
        var node = root.Get("event_definitions");
        var problems = new ErrorSink();
        var payloads = new List<SqlSource>();
        if (node is null or YamlAliasRef or YamlScalarValue)
        {
            // Not read officially (the schema check decides).
            return DocumentSection<SqlSource>.Empty;
        }

        if (node is not YamlMap events)
        {
            Report(problems, node, "event_definitions must be a mapping of event names to definitions with 'payloads'", SyncRulesErrorCodes.InvalidValue);
            return new(problems.Items, []);
        }

        foreach (var (key, value) in events.Pairs)
        {
            var name = NameOf(key);
            if (value is not YamlMap definition)
            {
                Report(problems, value, $"Event definition '{name}' must be a mapping with 'payloads'", SyncRulesErrorCodes.InvalidValue);
                continue;
            }

            if (definition.Get("payloads") is not YamlList list)
            {
                Report(problems, definition, $"Event definition '{name}' needs 'payloads', a list of SQL queries", SyncRulesErrorCodes.MissingKey);
                continue;
            }

            for (var i = 0; i < list.Items.Count; i++)
            {
                if (list.ScalarItem(i) is { } scalar)
                {
                    payloads.Add(Source(scalar));
                }
                else
                {
                    Report(problems, list.Items[i], "Payload queries for events must be SQL strings", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }

        return new(problems.Items, payloads);
    }

    /// <summary>
    /// The entries of <c>bucket_definitions</c> or <c>streams</c>: a mapping's pairs. An alias or a scalar has none
    /// (the schema check decides whether it is acceptable); a sequence is an error.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<YamlTreeNode, YamlTreeNode>> Entries(YamlTreeNode? node, string what, ErrorSink problems)
    {
        switch (node)
        {
            case YamlMap map:
                return map.Pairs;
            case YamlList list:
                Report(problems, list, $"{what} must be a mapping of names to definitions", SyncRulesErrorCodes.InvalidValue);
                return [];
            default:
                return [];
        }
    }

    /// <summary>Bucket definitions and streams share names; a second use of a name is an error (false).</summary>
    private bool CheckUniqueName(string name, YamlTreeNode key, ErrorSink problems)
    {
        if (_names.Add(name))
        {
            return true;
        }

        Report(problems, key, $"Duplicate stream or bucket definition '{name}'", SyncRulesErrorCodes.InvalidValue);
        return false;
    }

    private DocumentSection<BucketDefinitionEntry> ReadDefinitions(YamlMap root)
    {
        var problems = new ErrorSink();
        var entries = new List<BucketDefinitionEntry>();
        foreach (var (key, value) in Entries(root.Get("bucket_definitions"), "bucket_definitions", problems))
        {
            var name = NameOf(key);
            if (CheckUniqueName(name, key, problems))
            {
                entries.Add(ReadDefinition(name, key, value));
            }
        }

        return new(problems.Items, entries);
    }

    private BucketDefinitionEntry ReadDefinition(string name, YamlTreeNode keyNode, YamlTreeNode node)
    {
        var problems = new ErrorSink();
        if (node is not YamlMap map)
        {
            Report(problems, node, $"Bucket definition '{name}' must be a mapping with 'data' (and optionally 'parameters', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return new(name, DefaultPriority, false, [], problems.Items, DocumentSection<SqlSource>.Empty, DocumentSection<SqlSource>.Empty);
        }

        var unknownKeys = new ErrorSink();
        ReportUnknownKeys(map, DefinitionKeys, $"bucket definition '{name}'", unknownKeys);
        var priority = ReadPriority(map, problems);
        var accept = map.Get(AcceptDangerousKey) is { } a && ReadBool(a, AcceptDangerousKey, problems) == true;
        var parameters = map.Get("parameters") is { } parametersNode
            ? ReadQueries(parametersNode, "parameters", allowSingle: true)
            : DocumentSection<SqlSource>.Empty;
        var data = map.Get("data") is { } dataNode
            ? ReadQueries(dataNode, "data", allowSingle: false)
            : MissingData(name, keyNode);
        return new(name, priority, accept, unknownKeys.Items, problems.Items, parameters, data) { HasPriority = map.Get("priority") is not null };
    }

    private static DocumentSection<SqlSource> MissingData(string name, YamlTreeNode keyNode)
    {
        var problems = new ErrorSink();
        Report(problems, keyNode, $"Bucket definition '{name}' has no 'data' queries: add 'data:' with at least one SELECT", SyncRulesErrorCodes.MissingKey);
        return new(problems.Items, []);
    }

    private DocumentSection<StreamEntry> ReadStreams(YamlMap root, SyncRulesConfig config)
    {
        var node = root.Get("streams");
        var problems = new ErrorSink();
        if (IsAbsent(node))
        {
            return new(problems.Items, []);
        }

        Report(problems, node!.Start, "This is using an alpha version of Sync Streams (edition 2 semantics); set 'edition: 3' in config for compiled streams with joins and several queries", SyncRulesErrorCodes.SqlWarning, warning: true);
        var entries = Entries(node, "streams", problems);
        if (entries.Count > 0 && config.Edition < 2)
        {
            Report(problems, node, "Sync streams require edition 2 or later: add 'config:' with 'edition: 2'", SyncRulesErrorCodes.InvalidValue);
            return new(problems.Items, []);
        }

        var streams = new List<StreamEntry>();
        foreach (var (key, value) in entries)
        {
            var name = NameOf(key);
            if (CheckUniqueName(name, key, problems))
            {
                streams.Add(ReadStream(name, key, value));
            }
        }

        return new(problems.Items, streams);
    }

    private StreamEntry ReadStream(string name, YamlTreeNode keyNode, YamlTreeNode node)
    {
        var problems = new ErrorSink();
        var (line, column) = YamlLocator.Of(keyNode.Start);
        if (node is not YamlMap map)
        {
            Report(problems, node, $"Stream '{name}' must be a mapping with 'query' (and optionally 'auto_subscribe', 'priority')", SyncRulesErrorCodes.InvalidValue);
            return new(name, line, column, problems.Items, false, DefaultPriority, null);
        }

        // Other keys are allowed (the official schema does not restrict a stream's keys).
        if (!IsAbsent(map.Get("queries")))
        {
            Report(problems, map.Get("queries")!, "'queries' (several queries per stream) needs edition 3: set 'edition: 3' in config, or use one 'query'", SyncRulesErrorCodes.NotSupported);
        }

        if (!IsAbsent(map.Get("with")))
        {
            Report(problems, map.Get("with")!, "Stream-local 'with' (common table expressions) needs edition 3: set 'edition: 3' in config", SyncRulesErrorCodes.NotSupported);
        }

        var autoSubscribe = map.Get("auto_subscribe") is { } a && ReadBool(a, "auto_subscribe", problems) == true;
        var priority = ReadPriority(map, problems);
        if (map.Get(AcceptDangerousKey) is { } d)
        {
            ReadBool(d, AcceptDangerousKey, problems);
        }

        SqlSource? query = null;
        if (map.Get("query") is YamlScalarValue queryNode)
        {
            query = Source(queryNode);
        }
        else
        {
            Report(problems, map.Get("query") ?? node, $"Stream '{name}' needs a 'query' (one SELECT)", SyncRulesErrorCodes.MissingKey);
        }

        return new(name, line, column, problems.Items, autoSubscribe, priority, query);
    }

    /// <summary>
    /// The official reader's final check (<see cref="YamlSchemaCheck"/>), which follows the aliases that reading did
    /// not. As officially it counts only when reading and compiling found no error: it is kept aside
    /// (<see cref="SyncRulesDocument.FinalCheckProblem"/>) for compiling to report then.
    /// </summary>
    private static SyncRulesDocument WithSchemaCheck(SyncRulesDocument document, YamlMap root)
    {
        if (HasErrors(document) || YamlSchemaCheck.Check(root) is not { } problem)
        {
            return document;
        }

        var (line, column) = YamlLocator.Of(problem.Node.Start);
        var code = problem.Node is YamlAliasRef ? SyncRulesErrorCodes.YamlAliasOrTag : SyncRulesErrorCodes.InvalidValue;
        return document with { FinalCheckProblem = new SyncRulesError(line, column, problem.Message, code) };
    }

    private static bool HasErrors(SyncRulesDocument d)
    {
        static bool Any(IEnumerable<SyncRulesError> problems) => problems.Any(p => !p.IsWarning);
        return Any(d.Problems) || Any(d.BucketDefinitions.Problems) || Any(d.Streams.Problems) || Any(d.EventPayloads.Problems)
            || d.BucketDefinitions.Entries.Any(e => Any(e.Problems) || Any(e.UnknownKeys) || Any(e.Parameters.Problems) || Any(e.Data.Problems))
            || d.Streams.Entries.Any(e => Any(e.Problems));
    }
}
