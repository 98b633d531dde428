using NUnit.Framework;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;
using PowerSync.Tool;

namespace PowerSync.Tests.Tool;

/// <summary>
/// <c>powersync validate</c> against a private Postgres: rule errors, source readiness and mismatches with
/// file:line:column, exit codes for errors and (with --strict) warnings, --json, --config, and an unreachable source.
/// </summary>
public sealed class ToolValidateTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-tool-validate-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private async Task<string> RulesAsync(string yaml)
    {
        var path = Path.Combine(_temp.Path, "sync-rules.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    private static async Task<TestDatabase> SourceAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);
        return db;
    }

    [Test]
    public async Task A_missing_table_is_an_error_with_its_file_line_column_and_exact_message_and_exit_code_1()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        var rules = await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n      - SELECT * FROM todoz\n");

        var run = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), run.ToString());
        Assert.That(run.Lines, Is.EqualTo(new[]
        {
            $"error   {rules}:5:23: [PSYNC_N4001] The data query of bucket definition 'global' reads table public.todoz, " +
            "which does not exist in the source database; did you mean public.todos?",
            "note    Inactive replication slots were not checked: name the bucket store (StoragePath) to tell its slots from other stores'.",
            $"1 error(s), 0 warning(s) in the sync rules in {rules} (2 table reference(s) checked against the source database).",
        }));
        Assert.That(run.Stderr, Is.Empty);
    }

    [Test]
    public async Task Matching_rules_exit_0_and_the_json_document_has_every_field()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        var rules = await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT id, title FROM todos\n");
        var store = Path.Combine(_temp.Path, "buckets.db");

        var text = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules, "--store", store);
        var json = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules, "--store", store, "--json");

        Assert.That(text.ExitCode, Is.EqualTo(PowerSyncTool.Ok), text.ToString());
        Assert.That(text.Lines[^1], Is.EqualTo($"OK: the sync rules in {rules} match the source database (1 table reference(s) checked against the source database)."));
        Assert.That(json.ExitCode, Is.EqualTo(PowerSyncTool.Ok), json.ToString());
        var report = json.Json;
        Assert.That(report.GetProperty("rules_file").GetString(), Is.EqualTo(rules));
        Assert.That(report.GetProperty("has_errors").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("has_warnings").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("table_references_checked").GetInt32(), Is.EqualTo(1));
        Assert.That(report.GetProperty("slots_checked").GetBoolean(), Is.True);
        foreach (var list in new[] { "rules_errors", "rules_warnings", "source_errors", "source_warnings", "problems" })
            Assert.That(report.GetProperty(list).GetArrayLength(), Is.Zero, list);
        Assert.That(File.Exists(store), Is.False, "validate never creates a bucket store");
    }

    [Test]
    public async Task Every_mismatch_is_in_the_json_with_code_file_line_and_column()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await db.ExecuteAsync("CREATE TABLE notes (id text, body text); DROP PUBLICATION powersync; CREATE PUBLICATION powersync FOR TABLE todos, notes;" +
            "CREATE TABLE lists (id text PRIMARY KEY, owner_id text); ALTER TABLE notes REPLICA IDENTITY NOTHING; ALTER TABLE todos ADD list_id text;", ct);
        var rules = await RulesAsync("""
            bucket_definitions:
              by_owner:
                parameters: SELECT id AS list_id FROM lists WHERE ownr_id = request.user_id()
                data:
                  - SELECT id, titel FROM todos WHERE list_id = bucket.list_id
                  - SELECT * FROM notes WHERE id = bucket.list_id
              members:
                parameters: SELECT list_id FROM list_members WHERE user_id = request.user_id()
                data: []
            """);

        var run = await ToolRun.RunAsync("validate", "--json", "--connection", db.ConnectionString, "--rules", rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), run.ToString());
        var problems = run.Json.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("code").GetString(), p.GetProperty("file").GetString(), p.GetProperty("line").GetInt32(), p.GetProperty("column").GetInt32()))
            .ToList();
        Assert.That(problems, Is.EquivalentTo(new[]
        {
            (SourceValidationErrorCodes.TableNotPublished, rules, 3, 43),
            (SourceValidationErrorCodes.ColumnMissing, rules, 3, 55),
            (SourceValidationErrorCodes.ColumnMissing, rules, 5, 20),
            (SourceValidationErrorCodes.ReplicaIdentityInadequate, rules, 6, 23),
            (SourceValidationErrorCodes.ParameterTableMissing, rules, 8, 37),
        }), run.Stdout);
        Assert.That(run.Json.GetProperty("has_errors").GetBoolean(), Is.True);
        Assert.That(run.Json.GetProperty("source_warnings").EnumerateArray().Select(w => w.GetProperty("code").GetString()), Does.Not.Contain(ReplicationErrorCodes.NoReplicaIdentity),
            "the table's missing replica identity is reported once, at the rules' reference to it");
    }

    [Test]
    public async Task Rule_errors_are_listed_with_file_line_and_column_and_the_source_is_still_checked()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY);", ct);
        var rules = await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT id FROM todos WHERE\n");

        var run = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), run.ToString());
        Assert.That(run.Lines[0], Does.StartWith($"error   {rules}:4:").And.Contain("[PSYNC_"));
        Assert.That(run.Lines, Has.Some.EqualTo(
            $"error   [{ReplicationErrorCodes.PublicationMissing}] Publication 'powersync' does not exist. Run: CREATE PUBLICATION \"powersync\" FOR ALL TABLES; (or FOR TABLE with the tables your sync rules use)."));
        Assert.That(run.Lines, Has.Some.EqualTo("note    The rules have errors, so their tables and columns were not checked against the source database."));
    }

    [Test]
    public async Task Warnings_fail_only_with_strict()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        // A published table the rules do not read, without a primary key: the source check warns about it.
        await db.ExecuteAsync("CREATE TABLE audit (at timestamptz);", ct);
        var rules = await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT id, title FROM todos\n");

        var lenient = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules);
        var strict = await ToolRun.RunAsync("validate", "--connection", db.ConnectionString, "--rules", rules, "--strict");

        Assert.That(lenient.ExitCode, Is.EqualTo(PowerSyncTool.Ok), lenient.ToString());
        Assert.That(lenient.Lines, Has.Some.StartsWith($"warning [{ReplicationErrorCodes.NoReplicaIdentity}] Table \"public\".\"audit\" has no primary key"));
        Assert.That(strict.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), strict.ToString());
    }

    [Test]
    public async Task Settings_come_from_the_config_file_relative_to_it_and_flags_override_them()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todoz\n");
        var good = Path.Combine(_temp.Path, "good.yaml");
        await File.WriteAllTextAsync(good, "bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n", ct);
        var config = Path.Combine(_temp.Path, "appsettings.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              // As the app reads it: the PowerSync section, relative paths beside the file.
              "ConnectionStrings": { "PowerSync": "{{db.ConnectionString}}" },
              "PowerSync": { "SyncRulesPath": "sync-rules.yaml", "StoragePath": "buckets.db" }
            }
            """, ct);

        var fromConfig = await ToolRun.RunAsync("validate", "--config", config);
        var overridden = await ToolRun.RunAsync("validate", "--config", config, "--rules", good);

        Assert.That(fromConfig.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), fromConfig.ToString());
        Assert.That(fromConfig.Lines[0], Does.StartWith($"error   {Path.Combine(_temp.Path, "sync-rules.yaml")}:4:23: [PSYNC_N4001]"));
        Assert.That(overridden.ExitCode, Is.EqualTo(PowerSyncTool.Ok), overridden.ToString());
    }

    [Test]
    public async Task An_unreachable_source_is_a_failure_with_the_cause_on_stderr_and_no_stack_trace()
    {
        var rules = await RulesAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n");
        var closed = $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=postgres;Timeout=5";

        var run = await ToolRun.RunAsync("validate", "--connection", closed, "--rules", rules, "--json");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Failed), run.ToString());
        Assert.That(run.Stderr, Does.StartWith($"error: [{ReplicationErrorCodes.SourceQueryFailed}] Could not check the source database's replication settings:"));
        Assert.That(run.Stderr, Does.Not.Contain("   at "));
        Assert.That(run.Json.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo(ReplicationErrorCodes.SourceQueryFailed));
    }
}
