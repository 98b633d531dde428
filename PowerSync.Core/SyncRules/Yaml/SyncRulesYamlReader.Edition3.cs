using YamlDotNet.RepresentationModel;

namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>The edition-3 shape of a document: global <c>with</c>, and streams with <c>query</c> or <c>queries</c> and their own <c>with</c>.</summary>
internal sealed partial class SyncRulesYamlReader
{
    private SyncRulesDocument Edition3Document(YamlMappingNode root, SyncRulesConfig config, ErrorSink problems)
    {
        if (Child(root, "bucket_definitions") is { } definitions)
        {
            Report(problems, definitions, "'bucket_definitions' are not supported by the edition 3 compiler: write them as streams", SyncRulesErrorCodes.NotSupported);
        }

        var streams = new ErrorSink();
        var entries = new List<StreamEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        switch (Child(root, "streams"))
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    if (!names.Add(name))
                    {
                        Report(streams, key, $"There is already a stream named '{name}'", SyncRulesErrorCodes.InvalidValue);
                        continue;
                    }

                    entries.Add(ReadStream3(name, key, value));
                }

                break;
            case null:
                Report(problems, root, "'streams' are required", SyncRulesErrorCodes.MissingKey);
                break;
            case var other:
                Report(streams, other, "streams must be a mapping of stream names to definitions", SyncRulesErrorCodes.InvalidValue);
                break;
        }

        return new SyncRulesDocument(config, problems.Items, DocumentSection<BucketDefinitionEntry>.Empty, new(streams.Items, entries))
        {
            GlobalWith = ReadWith(Child(root, "with"), problems),
        };
    }

    private List<CteEntry> ReadWith(YamlNode? node, ErrorSink problems)
    {
        var result = new List<CteEntry>();
        if (node is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                if (value is YamlScalarNode { Value: { Length: > 0 } } scalar)
                {
                    var (line, column) = YamlLocator.Of(key.Start);
                    result.Add(new CteEntry(((YamlScalarNode)key).Value!, line, column, Source(scalar)));
                }
                else
                {
                    Report(problems, value, "A common table expression must be a SELECT statement", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }
        else if (node is not null)
        {
            Report(problems, node, "'with' must be a mapping of names to SELECT statements", SyncRulesErrorCodes.InvalidValue);
        }

        return result;
    }

    private StreamEntry ReadStream3(string name, YamlNode keyNode, YamlNode node)
    {
        var problems = new ErrorSink();
        var (line, column) = YamlLocator.Of(keyNode.Start);
        if (node is not YamlMappingNode map)
        {
            Report(problems, node, $"Stream '{name}' must be a mapping with 'query' or 'queries'", SyncRulesErrorCodes.InvalidValue);
            return new(name, line, column, problems.Items, false, DefaultPriority, null);
        }

        ReportUnknownKeys(map, StreamKeys, $"stream '{name}'", problems);
        var autoSubscribe = Child(map, "auto_subscribe") is { } a && ReadBool(a, "auto_subscribe", problems) == true;
        var priority = ReadPriority(map, problems);
        var accept = Child(map, AcceptDangerousKey) is { } d && ReadBool(d, AcceptDangerousKey, problems) == true;
        var queries = new List<SqlSource>();
        var query = Child(map, "query");
        var list = Child(map, "queries");
        if ((query is null) == (list is null))
        {
            Report(problems, node, "One of `queries` or `query` must be given.", SyncRulesErrorCodes.MissingKey);
        }

        if (query is YamlScalarNode { Value: { Length: > 0 } } single)
        {
            queries.Add(Source(single));
        }

        if (list is YamlSequenceNode sequence)
        {
            foreach (var item in sequence.Children)
            {
                if (item is YamlScalarNode { Value: { Length: > 0 } } scalar)
                {
                    queries.Add(Source(scalar));
                }
                else
                {
                    Report(problems, item, "Each entry of 'queries' must be a SELECT statement", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }
        else if (list is not null)
        {
            Report(problems, list, "'queries' must be a list of SELECT statements", SyncRulesErrorCodes.InvalidValue);
        }

        return new(name, line, column, problems.Items, autoSubscribe, priority, queries.FirstOrDefault())
        {
            Queries = queries,
            With = ReadWith(Child(map, "with"), problems),
            AcceptPotentiallyDangerousQueries = accept,
        };
    }
}
