using Microsoft.Data.Sqlite;
using NUnit.Framework;
using PowerSync.Core.Admin;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;
using PowerSync.Tool;

namespace PowerSync.Tests.Tool;

/// <summary>
/// <c>powersync preview</c> against a private Postgres: the user's buckets and row counts from the live source,
/// equal to what replication stores for the same rules, with claims and client parameters, and bad arguments.
/// </summary>
public sealed class ToolPreviewTests
{
    private const string ListRules = """
        bucket_definitions:
          owned_lists:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
              - SELECT * FROM todos WHERE list_id = bucket.list_id
          shared_lists:
            parameters: SELECT list_id FROM list_members WHERE user_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
              - SELECT * FROM todos WHERE list_id = bucket.list_id
          admin:
            parameters: SELECT 1 AS all_lists WHERE request.jwt() ->> 'role' = 'admin'
            data:
              - SELECT id FROM lists WHERE bucket.all_lists = 1
          by_project:
            parameters: SELECT request.parameters() ->> 'project' AS project
            data:
              - SELECT * FROM todos WHERE project = bucket.project
        """;

    private TempFolder _temp = null!;
    private string _rules = null!;

    [SetUp]
    public async Task CreateFolder()
    {
        _temp = new TempFolder("powersync-tool-preview-");
        _rules = Path.Combine(_temp.Path, "sync-rules.yaml");
        await File.WriteAllTextAsync(_rules, ListRules);
    }

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>alice owns l1 (2 todos) and l2 (1 todo), bob owns l3 (3 todos) and shares it with alice; 7 todos in all.</summary>
    private static async Task<TestDatabase> SourceAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, project text, title text);
            CREATE TABLE list_members (list_id text, user_id text, PRIMARY KEY (list_id, user_id));
            INSERT INTO lists VALUES ('l1', 'alice', 'Home'), ('l2', 'alice', 'Work'), ('l3', 'bob', 'Trip'), ('l4', 'carol', 'Misc');
            INSERT INTO todos VALUES ('t1', 'l1', 'p1', 'a'), ('t2', 'l1', NULL, 'b'), ('t3', 'l2', 'p1', 'c'),
                                     ('t4', 'l3', 'p2', 'd'), ('t5', 'l3', 'p1', 'e'), ('t6', 'l3', NULL, 'f'), ('t7', 'l4', 'p2', 'g');
            INSERT INTO list_members VALUES ('l3', 'alice');
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);
        return db;
    }

    [Test]
    public async Task Lists_the_users_buckets_with_their_rows_by_table()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);

        var run = await ToolRun.RunAsync("preview", "--user", "alice", "--connection", db.ConnectionString, "--rules", _rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
        // by_project[null]: alice sends no project parameter, and a static parameter query gives a bucket for NULL too, as a sync request does.
        Assert.That(run.Lines, Is.EqualTo(new[]
        {
            "User alice: 4 bucket(s), 9 row(s) (16 source row(s) read from public.list_members, public.lists, public.todos).",
            "  BUCKET              PRIORITY      ROWS  BY TABLE",
            "  by_project[null]           3         0  ",
            "  owned_lists[\"l1\"]          3         3  lists 1, todos 2",
            "  owned_lists[\"l2\"]          3         2  lists 1, todos 1",
            "  shared_lists[\"l3\"]         3         4  lists 1, todos 3",
        }));
    }

    [Test]
    public async Task Claims_and_client_parameters_select_their_buckets_and_the_json_has_every_field()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);

        var run = await ToolRun.RunAsync("preview", "--user", "bob", "--claims", """{"role":"admin"}""", "--params", """{"project":"p2"}""",
            "--connection", db.ConnectionString, "--rules", _rules, "--json");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
        var preview = run.Json;
        Assert.That(preview.GetProperty("user_id").GetString(), Is.EqualTo("bob"));
        Assert.That(preview.GetProperty("rules_version").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        var buckets = preview.GetProperty("buckets").EnumerateArray()
            .Select(b => (b.GetProperty("bucket").GetString(), b.GetProperty("definition").GetString(), b.GetProperty("priority").GetInt32(), b.GetProperty("rows").GetInt64()))
            .ToList();
        Assert.That(buckets, Is.EqualTo(new[]
        {
            ("admin[1]", "admin", 3, 4L),
            ("by_project[\"p2\"]", "by_project", 3, 2L),
            ("owned_lists[\"l3\"]", "owned_lists", 3, 4L),
        }));
        Assert.That(preview.GetProperty("buckets")[1].GetProperty("rows_by_table").GetProperty("todos").GetInt64(), Is.EqualTo(2));
        Assert.That(preview.GetProperty("total_rows").GetInt64(), Is.EqualTo(10));
        Assert.That(preview.GetProperty("tables_read").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "public.list_members", "public.lists", "public.todos" }));
        Assert.That(preview.GetProperty("notes").GetArrayLength(), Is.Zero);
        Assert.That(preview.GetProperty("evaluation_errors").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Gives_the_bucket_ids_and_counts_replication_stores_including_the_version_prefix()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        // Edition 2: versioned bucket ids (the version's prefix) and ISO timestamps.
        await File.WriteAllTextAsync(_rules, "config:\n  edition: 2\n" + ListRules, ct);
        var store = Path.Combine(_temp.Path, "buckets.db");
        var options = new PowerSyncOptions { SourceConnectionString = db.ConnectionString, SyncRulesPath = _rules, StoragePath = store };
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");
        await using (var service = new PowerSyncService(options))
        {
            await service.StartAsync(ct);
            await Eventually.HoldsAsync(() => Task.FromResult(service.HasCheckpoint), has => has, TimeSpan.FromSeconds(30), "the first checkpoint");

            var run = await ToolRun.RunAsync("preview", "--user", "alice", "--connection", db.ConnectionString, "--rules", _rules, "--store", store, "--json");

            Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
            Assert.That(run.Json.GetProperty("rules_version").GetInt64(), Is.EqualTo(1));
            var previewed = run.Json.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("bucket").GetString()!, b => b.GetProperty("rows").GetInt64());
            Assert.That(previewed.Keys, Is.EquivalentTo(new[] { "1#by_project[null]", "1#owned_lists[\"l1\"]", "1#owned_lists[\"l2\"]", "1#shared_lists[\"l3\"]" }));
            Assert.That(StoredBucketCounts(store, previewed.Keys), Is.EquivalentTo(previewed), "each previewed bucket holds as many ops as replication stored");
        }
    }

    [Test]
    public async Task Versioned_ids_without_a_store_are_shown_without_prefix_with_a_note()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await File.WriteAllTextAsync(_rules, "config:\n  edition: 2\n" + ListRules, ct);

        var preview = await new PowerSyncAdmin(new PowerSyncAdminOptions { SourceConnectionString = db.ConnectionString, SyncRulesPath = _rules })
            .PreviewAsync(new PreviewRequest("alice"), ct);

        Assert.That(preview.Buckets.Select(b => b.Bucket), Is.EqualTo(new[] { "by_project[null]", "owned_lists[\"l1\"]", "owned_lists[\"l2\"]", "shared_lists[\"l3\"]" }));
        Assert.That(preview.Notes, Is.EqualTo(new[]
        {
            "Bucket ids are versioned, but these rules are not deployed in the bucket store (none was given): the ids are shown without the '<version>#' prefix they get once deployed.",
        }));
    }

    [Test]
    public async Task An_unpublished_table_reads_no_rows_and_says_why()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await db.ExecuteAsync("DROP PUBLICATION powersync; CREATE PUBLICATION powersync FOR TABLE lists, list_members;", ct);

        var run = await ToolRun.RunAsync("preview", "--user", "alice", "--connection", db.ConnectionString, "--rules", _rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
        Assert.That(run.Lines, Has.Some.EqualTo("  owned_lists[\"l1\"]          3         1  lists 1"));
        Assert.That(run.Lines, Has.Some.EqualTo(
            "note    No published table matches public.todos (publication 'powersync'): replication copies none of its rows, so the preview reads none either."));
    }

    [Test]
    public async Task The_documented_admin_calls_refuse_mismatching_rules_and_preview_matching_ones()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        var options = new PowerSyncOptions { SourceConnectionString = db.ConnectionString, SyncRulesPath = _rules };
        var log = new StringWriter();

        var preview = await Docs.ToolExamples.CheckRulesAsync(options, log, ct);
        await File.WriteAllTextAsync(_rules, ListRules.Replace("FROM list_members", "FROM list_member", StringComparison.Ordinal), ct);
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => Docs.ToolExamples.CheckRulesAsync(options, log, ct));

        Assert.That(preview.TotalRows, Is.EqualTo(9));
        Assert.That(log.ToString().Trim(), Is.EqualTo("alice would sync 4 buckets, 9 rows"));
        Assert.That(refused!.Message, Does.Contain($"{_rules}:8:37: [PSYNC_N4005] The parameter query of bucket definition 'shared_lists' reads table public.list_member"));
    }

    [TestCase("--claims", "[1]", "The claims must be a JSON object such as {\"role\":\"admin\"}.")]
    [TestCase("--claims", """{"sub":"bob"}""", "The claims have sub \"bob\" but the user is \"alice\": give the user once, as the user id.")]
    [TestCase("--params", "{oops", "The client parameters are not valid JSON")]
    public async Task Unusable_claims_or_parameters_are_a_usage_error(string option, string value, string message)
    {
        var run = await ToolRun.RunAsync("preview", "--user", "alice", option, value, "--connection", "Host=127.0.0.1", "--rules", _rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.UsageError), run.ToString());
        Assert.That(run.Stderr, Does.StartWith($"error: [{AdminErrorCodes.InvalidPreviewRequest}] {message}"));
    }

    [Test]
    public async Task Without_a_user_it_says_what_is_missing()
    {
        var run = await ToolRun.RunAsync("preview", "--rules", _rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.UsageError), run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo("error: preview needs the user: --user <id> (the token's sub)."));
        Assert.That(run.Stdout, Is.Empty);
    }

    private static Dictionary<string, long> StoredBucketCounts(string store, IEnumerable<string> buckets)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var counts = new Dictionary<string, long>();
        foreach (var bucket in buckets)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT op_count FROM buckets WHERE name = $n";
            cmd.Parameters.AddWithValue("$n", bucket);
            // A bucket no row ever entered has no entry.
            counts[bucket] = cmd.ExecuteScalar() is long count ? count : 0;
        }
        return counts;
    }
}
