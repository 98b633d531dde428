namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>The edition-3 shape of a document: global <c>with</c>, and streams with <c>query</c> or <c>queries</c> and their own <c>with</c>.</summary>
internal sealed partial class SyncRulesYamlReader
{
    private SyncRulesDocument Edition3Document(YamlMap root, SyncRulesConfig config, ErrorSink problems)
    {
        if (!IsAbsent(root.Get("bucket_definitions")))
        {
            Report(problems, root.Get("bucket_definitions")!, "'bucket_definitions' are not supported by the edition 3 compiler: write them as streams", SyncRulesErrorCodes.NotSupported);
        }

        var streams = new ErrorSink();
        var entries = new List<StreamEntry>();
        var node = root.Get("streams");
        if (IsAbsent(node))
        {
            Report(problems, root, "'streams' are required", SyncRulesErrorCodes.MissingKey);
        }

        foreach (var (key, value) in Entries(node, "streams", streams))
        {
            // A stream that is not a mapping (an alias included) is skipped, as officially: the schema check decides.
            if (value is not YamlMap)
            {
                continue;
            }

            var name = NameOf(key);
            if (CheckUniqueName(name, key, streams))
            {
                entries.Add(ReadStream3(name, key, (YamlMap)value));
            }
        }

        return new SyncRulesDocument(config, problems.Items, DocumentSection<BucketDefinitionEntry>.Empty, new(streams.Items, entries))
        {
            GlobalWith = ReadWith(root.Get("with"), problems),
        };
    }

    /// <summary>A <c>with</c>: a mapping of names to SELECT statements (an alias or a scalar defines none; a list is an error).</summary>
    private List<CteEntry> ReadWith(YamlTreeNode? node, ErrorSink problems)
    {
        var result = new List<CteEntry>();
        if (node is YamlMap map)
        {
            foreach (var (key, value) in map.Pairs)
            {
                if (key is not YamlScalarValue { Value.Kind: JsKind.String })
                {
                    // Officially the name is the key's value, which must be a string (a number, null or alias key fails).
                    Report(problems, key, "The name of a common table expression must be a string", SyncRulesErrorCodes.InvalidValue);
                }
                else if (value is YamlScalarValue scalar)
                {
                    var (line, column) = YamlLocator.Of(key.Start);
                    result.Add(new CteEntry(NameOf(key), line, column, Source(scalar)));
                }
                else
                {
                    Report(problems, value, "A common table expression must be a SELECT statement", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }
        else if (node is YamlList { Items.Count: > 0 } list)
        {
            Report(problems, list, "'with' must be a mapping of names to SELECT statements", SyncRulesErrorCodes.InvalidValue);
        }

        return result;
    }

    private StreamEntry ReadStream3(string name, YamlTreeNode keyNode, YamlMap map)
    {
        var problems = new ErrorSink();
        var (line, column) = YamlLocator.Of(keyNode.Start);
        var autoSubscribe = map.Get("auto_subscribe") is { } a && ReadBool(a, "auto_subscribe", problems) == true;
        var priority = ReadPriority(map, problems);
        var accept = map.Get(AcceptDangerousKey) is { } d && ReadBool(d, AcceptDangerousKey, problems) == true;
        var queries = new List<SqlSource>();
        var query = map.Get("query");
        var list = IsAbsent(map.Get("queries")) ? null : map.Get("queries");
        if ((query is null) == (list is null))
        {
            Report(problems, map, "One of `queries` or `query` must be given.", SyncRulesErrorCodes.MissingKey);
        }

        if (query is YamlScalarValue single)
        {
            queries.Add(Source(single));
        }
        else if (query is not null)
        {
            Report(problems, query, "'query' must be a SELECT statement", SyncRulesErrorCodes.InvalidValue);
        }

        if (list is YamlList sequence)
        {
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (sequence.ScalarItem(i) is { } scalar)
                {
                    queries.Add(Source(scalar));
                }
                else
                {
                    Report(problems, sequence.Items[i], "Each entry of 'queries' must be a SELECT statement", SyncRulesErrorCodes.InvalidValue);
                }
            }
        }
        else if (list is not null and not YamlScalarValue { Value: { Kind: JsKind.Number, Number: 0 } or { Kind: JsKind.Bool, Bool: false } or { Kind: JsKind.String, Text: "" } })
        {
            Report(problems, list, "'queries' must be a list of SELECT statements", SyncRulesErrorCodes.InvalidValue);
        }

        return new(name, line, column, problems.Items, autoSubscribe, priority, queries.FirstOrDefault())
        {
            Queries = queries,
            With = ReadWith(map.Get("with"), problems),
            AcceptPotentiallyDangerousQueries = accept,
        };
    }
}
