using PowerSync.Core;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/sync-rules.md (run by <see cref="SyncRulesGuideTests"/>).</summary>
internal static class SyncRulesExamples
{
    public sealed record Outcome(
        SyncRulesSet Rules, RowEvaluationResult Row, IReadOnlyList<EvaluatedParameterLookup> Lookups,
        RequestBucketResolution Resolution, IReadOnlyList<ResolvedBucket> DynamicBuckets);

    public static Outcome Run(string yaml)
    {
        // docs:begin sync-rules-api
        var rules = SyncRulesSet.Parse(yaml, new SyncRulesParseOptions { SyncRulesVersion = 7 });
        // Bad rules throw SyncRulesException (code PSYNC_R0001); its Errors list every problem found,
        // each a SyncRulesError(Line, Column, Message, Code). rules.Warnings holds non-fatal findings.

        IReadOnlyList<SourceTablePattern> sources = rules.SourceTables;   // what replication snapshots and streams
        bool readsTodos = rules.ReadsTable("public", "todos");            // also: rules.DataTables, rules.ParameterTables

        // Replication, once per row change: which buckets the row goes to, with which data.
        var todo = new Dictionary<string, SqliteValue>
        {
            ["id"] = SqliteValue.FromText("t1"),
            ["list_id"] = SqliteValue.FromText("l1"),
            ["description"] = SqliteValue.FromText("Milk"),
        };
        RowEvaluationResult result = rules.EvaluateRow("public", "todos", todo);
        // result.Rows: EvaluatedRow(Bucket, ObjectType, ObjectId, Data), Data being the exact JSON text.
        // result.Errors: EvaluationError(Definition, Message, Code); only the failing query is skipped.

        // ... and once per change to a table read by parameter queries.
        var membership = new Dictionary<string, SqliteValue>
        {
            ["list_id"] = SqliteValue.FromText("l1"),
            ["user_id"] = SqliteValue.FromText("u1"),
        };
        IReadOnlyList<EvaluatedParameterLookup> lookups = rules.EvaluateParameterRow("public", "list_members", membership);
        // EvaluatedParameterLookup(Lookup, Parameters): store both as TEXT, look up by exact Lookup equality.

        // Sync session, once per connection (and per checkpoint for the lookups).
        var request = new RequestParameters("""{"sub":"u1"}""", clientParametersJson: "{}",
            subscriptions: [new StreamSubscription("list", """{"list":"l1"}""", PriorityOverride: null)],
            includeDefaultStreams: true);
        RequestBucketResolution resolution = rules.ResolveRequest(request);
        // resolution.StaticBuckets: ResolvedBucket(Bucket, Priority, Definition), known without storage.
        // resolution.Lookups: the lookup keys to read from parameter storage; resolution.Errors: request-side errors.
        var stored = resolution.Lookups.ToDictionary(
            lookup => lookup,
            lookup => (IReadOnlyList<string>)lookups.Where(l => l.Lookup == lookup).Select(l => l.Parameters).ToList());
        IReadOnlyList<ResolvedBucket> dynamicBuckets = resolution.ResolveLookups(stored);
        // docs:end
        _ = (sources, readsTodos);
        return new Outcome(rules, result, lookups, resolution, dynamicBuckets);
    }
}
