using BenchmarkDotNet.Attributes;
using PowerSync.Core;
using PowerSync.Core.SyncRules;

namespace PowerSync.Benchmarks.Micro;

/// <summary>
/// Sync-rules evaluation (issue 3): a simple bucket, an IN fan-out over 10 values, a table read by
/// 10 bucket definitions, a parameter-table row, and loading YAML with 100 bucket definitions; and the
/// same simple row and parameter row through edition-3 compiled streams (issue 15: at least 1M rows/s).
/// </summary>
[MemoryDiagnoser]
public class SyncRulesBenchmarks
{
    private const string SimpleYaml = """
        bucket_definitions:
          by_list:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT id, description, completed, list_id FROM todos WHERE list_id = bucket.list_id
          by_tag:
            parameters: SELECT value AS tag FROM json_each(request.jwt() -> 'tags')
            data:
              - SELECT id, title FROM posts WHERE bucket.tag IN tags
        """;

    private static readonly string TenDefinitionsYaml = "bucket_definitions:\n" + string.Concat(Enumerable.Range(0, 10).Select(i =>
        $"  b{i}:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT id, name, n + {i} AS v FROM items WHERE owner = bucket.u AND n > {i}\n"));

    private static readonly string HundredDefinitionsYaml = "bucket_definitions:\n" + string.Concat(Enumerable.Range(0, 100).Select(i =>
        $"  b{i}:\n    parameters: SELECT org_id FROM members_{i} WHERE user_id = request.user_id()\n    data:\n      - SELECT * FROM table_{i} WHERE org_id = bucket.org_id\n      - SELECT id, upper(name) AS name FROM other_{i} WHERE org_id = bucket.org_id AND archived = 0\n"));

    private const string Edition3Yaml = """
        config:
          edition: 3
        streams:
          list_todos:
            auto_subscribe: true
            query: SELECT id, description, completed, list_id FROM todos WHERE list_id IN (SELECT id FROM lists WHERE owner_id = auth.user_id())
        """;

    private readonly SyncRulesSet _simple = SyncRulesSet.Parse(SimpleYaml);
    private readonly SyncRulesSet _edition3 = SyncRulesSet.Parse(Edition3Yaml);
    private readonly SyncRulesSet _ten = SyncRulesSet.Parse(TenDefinitionsYaml);

    private readonly Dictionary<string, SqliteValue> _todo = new()
    {
        ["id"] = SqliteValue.FromText("6b5a2d3e-1f0c-4e7a-9d43-0c6b1f4a2e11"),
        ["description"] = SqliteValue.FromText("Buy milk"),
        ["completed"] = SqliteValue.FromInteger(0),
        ["list_id"] = SqliteValue.FromText("list-1"),
    };

    private readonly Dictionary<string, SqliteValue> _post = new()
    {
        ["id"] = SqliteValue.FromText("p1"),
        ["title"] = SqliteValue.FromText("Hello"),
        ["tags"] = SqliteValue.FromText("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]"),
    };

    private readonly Dictionary<string, SqliteValue> _item = new()
    {
        ["id"] = SqliteValue.FromText("i1"),
        ["name"] = SqliteValue.FromText("thing"),
        ["owner"] = SqliteValue.FromText("u1"),
        ["n"] = SqliteValue.FromInteger(20),
    };

    private readonly Dictionary<string, SqliteValue> _list = new()
    {
        ["id"] = SqliteValue.FromText("list-1"),
        ["owner_id"] = SqliteValue.FromText("u1"),
    };

    [Benchmark]
    public RowEvaluationResult SimpleBucketRow() => _simple.EvaluateRow("public", "todos", _todo);

    [Benchmark]
    public RowEvaluationResult InFanOutOverTenValues() => _simple.EvaluateRow("public", "posts", _post);

    [Benchmark]
    public RowEvaluationResult TenBucketDefinitionsRow() => _ten.EvaluateRow("public", "items", _item);

    [Benchmark]
    public IReadOnlyList<EvaluatedParameterLookup> ParameterRow() => _simple.EvaluateParameterRow("public", "lists", _list);

    /// <summary>One todo row through an edition-3 stream whose bucket is partitioned by a subquery (the simple case of issue 15).</summary>
    [Benchmark]
    public RowEvaluationResult Edition3SimpleRow() => _edition3.EvaluateRow("public", "todos", _todo);

    [Benchmark]
    public IReadOnlyList<EvaluatedParameterLookup> Edition3ParameterRow() => _edition3.EvaluateParameterRow("public", "lists", _list);

    [Benchmark]
    public SyncRulesSet LoadYamlWithHundredBuckets() => SyncRulesSet.Parse(HundredDefinitionsYaml);

}
