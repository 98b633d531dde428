using Npgsql;
using NUnit.Framework;
using PowerSync.Core.Replication;
using PowerSync.Core.SyncRules;
using PowerSync.Tests.Infrastructure.Postgres;
using TodoBackend;

namespace PowerSync.Tests.Replication;

/// <summary>
/// The sync rules checked against a real source database: each kind of mismatch that would silently
/// give users no data is reported with the rules file, line, column, code and an exact message.
/// </summary>
public sealed class SourceValidationTests
{
    private static readonly StoreSlots NoSlots = new([], new Dictionary<string, long>());

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static async Task<List<string>> ValidateAsync(TestDatabase db, string yaml, CancellationToken ct, StoreSlots? slots = null)
    {
        var rules = SyncRulesSet.Parse(yaml, new SyncRulesParseOptions { FileName = "sync-rules.yaml" });
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var problems = await SyncRulesSourceValidator.ValidateAsync(source, "powersync", rules, slots ?? NoSlots, ct);
        return problems.Select(p => p.ToString()).ToList();
    }

    [Test]
    public async Task A_table_that_does_not_exist_is_reported_at_its_name_with_the_closest_existing_table()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              all_todos:
                data:
                  - SELECT * FROM todoz
                  - SELECT * FROM archive.items
                  - SELECT * FROM "log_%"
            """, ct);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "sync-rules.yaml:4:23: [PSYNC_N4001] The data query of bucket definition 'all_todos' reads table public.todoz, which does not exist in the source database; did you mean public.todos?",
            "sync-rules.yaml:5:23: [PSYNC_N4001] The data query of bucket definition 'all_todos' reads table archive.items, which does not exist in the source database. Create it, or correct the name in the rules.",
            "sync-rules.yaml:6:23: [PSYNC_N4001] The data query of bucket definition 'all_todos' reads the tables matching public.log_%, but no table in the source database matches. Create one, or correct the pattern in the rules.",
        }));
    }

    [Test]
    public async Task A_table_missing_from_the_publication_is_reported_with_the_statement_that_adds_it_and_a_view_as_unpublishable()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE todos (id text PRIMARY KEY); CREATE TABLE lists (id text PRIMARY KEY);
            CREATE VIEW open_todos AS SELECT * FROM todos;
            CREATE PUBLICATION powersync FOR TABLE todos;
            """, ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              everything:
                data:
                  - SELECT * FROM todos
                  - SELECT * FROM lists
                  - SELECT * FROM open_todos
            """, ct);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "sync-rules.yaml:5:23: [PSYNC_N4002] Table public.lists, read by the data query of bucket definition 'everything', is not in publication 'powersync', so none of its rows replicate. Run: ALTER PUBLICATION powersync ADD TABLE public.lists;",
            "sync-rules.yaml:6:23: [PSYNC_N4002] public.open_todos, read by the data query of bucket definition 'everything', is a view: Postgres publishes only tables, so none of its rows replicate. Read the tables it is built on in the rules instead.",
        }));
    }

    [Test]
    public async Task An_unknown_column_is_reported_where_it_is_used_with_a_close_match_or_the_table_columns()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text, owner_id uuid, done boolean); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              by_owner:
                parameters: SELECT request.user_id() AS owner_id
                data:
                  - SELECT id, titel FROM todos WHERE ownr_id = bucket.owner_id
                  - SELECT id, upper(description) AS d FROM todos WHERE owner_id = bucket.owner_id
                  - SELECT * FROM todos WHERE owner_id = bucket.owner_id
            """, ct);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "sync-rules.yaml:5:20: [PSYNC_N4003] Column titel does not exist in public.todos; did you mean title (text)?",
            "sync-rules.yaml:5:43: [PSYNC_N4003] Column ownr_id does not exist in public.todos; did you mean owner_id (uuid)?",
            "sync-rules.yaml:6:26: [PSYNC_N4003] Column description does not exist in public.todos; its columns are id (text), title (text), owner_id (uuid), done (boolean).",
        }));
    }

    [Test]
    public async Task A_parameter_query_or_stream_subquery_on_a_missing_table_is_reported_as_finding_nothing()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE projects (id text PRIMARY KEY, org_id text);
            CREATE TABLE membership (user_id text, org_id text, PRIMARY KEY (user_id, org_id));
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);

        var definitions = await ValidateAsync(db, """
            bucket_definitions:
              by_org:
                parameters: SELECT org_id FROM memberships WHERE user_id = request.user_id()
                data:
                  - SELECT * FROM projects WHERE org_id = bucket.org_id
            """, ct);
        var streams = await ValidateAsync(db, """
            config:
              edition: 2
            streams:
              org_projects:
                query: SELECT * FROM projects WHERE org_id IN (SELECT org_id FROM teams WHERE user_id = auth.user_id())
            """, ct);

        Assert.That(definitions, Is.EqualTo(new[]
        {
            "sync-rules.yaml:3:36: [PSYNC_N4005] The parameter query of bucket definition 'by_org' reads table public.memberships, which does not exist in the source database, so its lookups find nothing and no user gets its buckets; did you mean public.membership?",
        }));
        Assert.That(streams, Is.EqualTo(new[]
        {
            "sync-rules.yaml:5:71: [PSYNC_N4005] A subquery of stream 'org_projects' reads table public.teams, which does not exist in the source database, so its lookups find nothing and no user gets its buckets. Create it, or correct the name in the rules.",
        }));
    }

    [Test]
    public async Task A_table_read_by_the_rules_that_cannot_identify_its_rows_is_reported_and_full_identity_is_not()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE items (id text, name text);
            CREATE TABLE tags (id text PRIMARY KEY); ALTER TABLE tags REPLICA IDENTITY NOTHING;
            CREATE TABLE notes (id text); ALTER TABLE notes REPLICA IDENTITY FULL;
            CREATE TABLE unread (id text);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              global:
                data:
                  - SELECT * FROM items
                  - SELECT * FROM tags
                  - SELECT * FROM notes
            """, ct);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "sync-rules.yaml:4:23: [PSYNC_N4004] Table public.items, read by the data query of bucket definition 'global', has no primary key (REPLICA IDENTITY DEFAULT needs one): Postgres rejects its updates and deletes while it is published, and they cannot be replicated. Add a primary key, or run ALTER TABLE public.items REPLICA IDENTITY FULL;",
            "sync-rules.yaml:5:23: [PSYNC_N4004] Table public.tags, read by the data query of bucket definition 'global', has REPLICA IDENTITY NOTHING: Postgres rejects its updates and deletes while it is published, and they cannot be replicated. Add a primary key, or run ALTER TABLE public.tags REPLICA IDENTITY FULL;",
        }));
    }

    [Test]
    public async Task Inactive_slots_named_like_this_stores_are_reported_unless_a_current_version_uses_them()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);
        // Slot names are cluster-wide: a suffix of this test's own keeps parallel runs apart.
        var suffix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        var (retired, unknown, inUse) = ($"powersync_1_{suffix}", $"powersync_7_{suffix}", $"powersync_2_{suffix}");
        await db.ExecuteAsync($"""
            SELECT pg_create_logical_replication_slot('{retired}', 'pgoutput');
            SELECT pg_create_logical_replication_slot('{unknown}', 'pgoutput');
            SELECT pg_create_logical_replication_slot('{inUse}', 'pgoutput');
            """, ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              global:
                data:
                  - SELECT * FROM todos
            """, ct, new StoreSlots([inUse], new Dictionary<string, long> { [retired] = 1 }));

        Assert.That(problems, Is.EqualTo(new[]
        {
            $"[PSYNC_N4007] Replication slot {retired} of retired sync rules version 1 is inactive, so Postgres keeps all WAL written since it was last used. " +
            $"It is dropped automatically once nothing streams from it; if it stays, drop it: SELECT pg_drop_replication_slot('{retired}');",
            $"[PSYNC_N4006] Replication slot {unknown} is inactive, so Postgres keeps all WAL written since it was last used. It is named like a PowerSync slot " +
            "but belongs to no version of this bucket store (left by a deleted or reset bucket store, or by a stopped instance with its own store). " +
            $"If no instance uses it, drop it: SELECT pg_drop_replication_slot('{unknown}');",
        }));
    }

    [Test]
    public async Task The_todo_samples_rules_match_its_schema_without_problems()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(await File.ReadAllTextAsync(TodoBackendApp.InAppFolder("schema.sql"), ct), ct);
        var yaml = await File.ReadAllTextAsync(TodoBackendApp.InAppFolder("sync-rules.yaml"), ct);

        var problems = await ValidateAsync(db, yaml, ct);

        Assert.That(SyncRulesSet.Parse(yaml).TableReferences, Has.Count.GreaterThanOrEqualTo(3), "the rules read tables, so there was something to check");
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task A_missing_publication_is_one_problem_not_one_per_table()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY); CREATE TABLE lists (id text PRIMARY KEY);", ct);

        var problems = await ValidateAsync(db, """
            bucket_definitions:
              global:
                data:
                  - SELECT * FROM todos
                  - SELECT * FROM lists
            """, ct);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "[PSYNC_S1141] Publication 'powersync' does not exist. Run: CREATE PUBLICATION \"powersync\" FOR ALL TABLES; (or FOR TABLE with the tables your sync rules use).",
        }));
    }
}
