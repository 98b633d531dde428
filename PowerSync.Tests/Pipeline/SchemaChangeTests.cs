using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Core;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Pipeline;

/// <summary>Tables renamed, re-created, added to the publication or given a column while replication streams.</summary>
public sealed class SchemaChangeTests
{
    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT * FROM items
              - SELECT * FROM extras
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-schema-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static async Task<TestDatabase> CreateSourceAsync(string publication = "FOR ALL TABLES")
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"""
            CREATE TABLE items (id text PRIMARY KEY, name text);
            CREATE TABLE extras (id text PRIMARY KEY, note text);
            INSERT INTO items VALUES ('i1', 'one'), ('i2', 'two');
            INSERT INTO extras VALUES ('e1', 'first'), ('e2', 'second');
            CREATE PUBLICATION powersync {publication};
            """);
        return db;
    }

    private async Task<ReplicationRun> StartAsync(TestDatabase db)
    {
        var run = new ReplicationRun(db, Rules, _temp.Path);
        run.Start();
        await run.WaitForCheckpointAsync(Lsn.Zero, Timeout);
        return run;
    }

    /// <summary>The bucket's live rows once everything committed at the source so far is replicated, as "type/id" → data.</summary>
    private static async Task<Dictionary<string, string?>> RowsAsync(ReplicationRun run)
    {
        var position = await run.SourcePositionAsync();
        var checkpoint = await run.WaitForCheckpointAsync(position, Timeout);
        var (state, checksum) = (await run.BucketsAsync(checkpoint, ["global[]"]))["global[]"];
        Assert.That(state.Checksum, Is.EqualTo(checksum.Checksum), "the bucket's ops add up to its checksum");
        return state.Rows.ToDictionary(r => $"{r.Key.Item1}/{r.Key.Item2}", r => r.Value);
    }

    [Test]
    public async Task A_renamed_table_leaves_the_buckets_and_comes_back_when_renamed_to_a_table_the_rules_read()
    {
        await using var db = await CreateSourceAsync();
        await using var run = await StartAsync(db);
        Assert.That((await RowsAsync(run)).Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2", "extras/e1", "extras/e2" }));

        await db.ExecuteAsync("ALTER TABLE items RENAME TO items_archive; UPDATE items_archive SET name = 'archived' WHERE id = 'i1';");
        Assert.That((await RowsAsync(run)).Keys, Is.EquivalentTo(new[] { "extras/e1", "extras/e2" }), "rows under the old name are removed");

        await db.ExecuteAsync("ALTER TABLE items_archive RENAME TO items; INSERT INTO items VALUES ('i3', 'three');");
        var rows = await RowsAsync(run);
        Assert.That(rows.Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2", "items/i3", "extras/e1", "extras/e2" }), "copied again under the name the rules read");
        Assert.That(rows["items/i1"], Does.Contain("archived"));
    }

    [Test]
    public async Task A_dropped_and_recreated_table_replaces_its_old_rows()
    {
        await using var db = await CreateSourceAsync();
        await using var run = await StartAsync(db);

        await db.ExecuteAsync("DROP TABLE items; CREATE TABLE items (id text PRIMARY KEY, name text); INSERT INTO items VALUES ('i9', 'new table');");

        var rows = await RowsAsync(run);
        Assert.That(rows.Keys, Is.EquivalentTo(new[] { "items/i9", "extras/e1", "extras/e2" }));
    }

    [Test]
    public async Task A_table_added_to_the_publication_while_streaming_is_copied_with_its_existing_rows_at_its_first_change_not_before()
    {
        await using var db = await CreateSourceAsync("FOR TABLE items");
        await using var run = await StartAsync(db);
        Assert.That((await RowsAsync(run)).Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2" }));

        await db.ExecuteAsync("ALTER PUBLICATION powersync ADD TABLE extras");
        await db.ExecuteAsync("INSERT INTO items VALUES ('i3', 'three')");
        Assert.That((await RowsAsync(run)).Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2", "items/i3" }),
            "replication learns of a table from its first change: until then its rows are not copied");

        await db.ExecuteAsync("INSERT INTO extras VALUES ('e3', 'third')");
        Assert.That((await RowsAsync(run)).Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2", "items/i3", "extras/e1", "extras/e2", "extras/e3" }));
    }

    [Test]
    public async Task A_table_removed_from_the_publication_keeps_its_replicated_rows_and_its_later_changes_are_not_replicated()
    {
        await using var db = await CreateSourceAsync("FOR TABLE items, extras");
        await using var run = await StartAsync(db);

        await db.ExecuteAsync("ALTER PUBLICATION powersync DROP TABLE extras");
        await db.ExecuteAsync("UPDATE extras SET note = 'changed while out' WHERE id = 'e1'; INSERT INTO items VALUES ('i3', 'three')");
        var rows = await RowsAsync(run);
        Assert.That(rows.Keys, Is.EquivalentTo(new[] { "items/i1", "items/i2", "items/i3", "extras/e1", "extras/e2" }));
        Assert.That(rows["extras/e1"], Does.Contain("first"));

        await db.ExecuteAsync("ALTER PUBLICATION powersync ADD TABLE extras");
        await db.ExecuteAsync("UPDATE extras SET note = 'changed after' WHERE id = 'e2'");
        rows = await RowsAsync(run);
        Assert.That(rows["extras/e2"], Does.Contain("changed after"), "changes made once it is back replicate");
        Assert.That(rows["extras/e1"], Does.Contain("first"), "a change made while it was out is not copied when it comes back");
    }

    [Test]
    public async Task A_column_added_while_streaming_appears_in_rows_changed_afterwards()
    {
        await using var db = await CreateSourceAsync();
        await using var run = await StartAsync(db);

        await db.ExecuteAsync("ALTER TABLE items ADD COLUMN color text DEFAULT 'red'; UPDATE items SET name = 'one!' WHERE id = 'i1';");

        var rows = await RowsAsync(run);
        Assert.That(rows["items/i1"], Is.EqualTo("""{"id":"i1","name":"one!","color":"red"}"""));
        Assert.That(rows["items/i2"], Is.EqualTo("""{"id":"i2","name":"two"}"""), "unchanged rows keep their stored data until they change");
    }
}
