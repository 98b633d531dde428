using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

public sealed class ReplicationStreamTests
{
    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static SqliteValue I(long value) => SqliteValue.FromInteger(value);

    private static SqliteValue T(string value) => SqliteValue.FromText(value);

    [Test]
    public async Task Inserts_updates_with_key_changes_deletes_truncates_and_messages_arrive_in_order()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("INSERT INTO items VALUES (1, 'a')", ct);
        await db.ExecuteAsync("UPDATE items SET name = 'b' WHERE id = 1", ct);
        await db.ExecuteAsync("UPDATE items SET id = 2 WHERE id = 1", ct);
        await db.ExecuteAsync("DELETE FROM items WHERE id = 2", ct);
        await db.ExecuteAsync("BEGIN; INSERT INTO items VALUES (3, 'c'); TRUNCATE items; COMMIT;", ct);
        await db.ExecuteAsync("SELECT pg_logical_emit_message(false, 'powersync', 'ping')", ct);

        var changes = await harness.CollectUntilAsync(c => c is LogicalMessage, ct);
        var withoutRelations = changes.Where(c => c is not (RelationDefinition or SourcePosition)).ToList();

        Assert.That(withoutRelations.Select(c => c.GetType().Name), Is.EqualTo(new[]
        {
            "TransactionBegin", "RowInsert", "TransactionCommit",
            "TransactionBegin", "RowUpdate", "TransactionCommit",
            "TransactionBegin", "RowUpdate", "TransactionCommit",
            "TransactionBegin", "RowDelete", "TransactionCommit",
            "TransactionBegin", "RowInsert", "TableTruncate", "TransactionCommit",
            "LogicalMessage",
        }));
        var relation = changes.OfType<RelationDefinition>().First().Relation;
        Assert.That((relation.Schema, relation.Name, relation.ReplicaIdentity), Is.EqualTo(("public", "items", ReplicaIdentityKind.Default)));
        Assert.That(relation.KeyColumns.Select(c => c.Name), Is.EqualTo(new[] { "id" }));
        Assert.That(relation.Columns.Select(c => c.TypeOid), Is.EqualTo(new uint[] { 23, 25 }));

        var insert = (RowInsert)withoutRelations[1];
        Assert.That(insert.NewRow.Values.Select(v => v.Value), Is.EqualTo(new[] { I(1), T("a") }));

        var plainUpdate = (RowUpdate)withoutRelations[4];
        Assert.That((plainUpdate.OldRowKind, plainUpdate.OldRow), Is.EqualTo((OldRowKind.None, (ReplicatedRow?)null)));
        Assert.That(plainUpdate.NewRow["name"].Value, Is.EqualTo(T("b")));

        var keyUpdate = (RowUpdate)withoutRelations[7];
        Assert.That(keyUpdate.OldRowKind, Is.EqualTo(OldRowKind.Key));
        Assert.That(keyUpdate.OldRow!["id"].Value, Is.EqualTo(I(1)));
        Assert.That(keyUpdate.OldRow["name"].Value, Is.EqualTo(SqliteValue.Null), "non-key columns are not sent in a key tuple");
        Assert.That(keyUpdate.NewRow.Values.Select(v => v.Value), Is.EqualTo(new[] { I(2), T("b") }));

        var delete = (RowDelete)withoutRelations[10];
        Assert.That((delete.OldRowKind, delete.OldRow["id"].Value), Is.EqualTo((OldRowKind.Key, I(2))));

        var truncate = (TableTruncate)withoutRelations[14];
        Assert.That(truncate.Relations.Select(r => r.Name), Is.EqualTo(new[] { "items" }));

        var message = (LogicalMessage)withoutRelations[16];
        Assert.That((message.Prefix, message.Transactional, Encoding.UTF8.GetString([.. message.Content])), Is.EqualTo(("powersync", false, "ping")));
        Assert.That(message.MessageLsn.IsZero, Is.False);

        var begins = withoutRelations.OfType<TransactionBegin>().ToList();
        var commits = withoutRelations.OfType<TransactionCommit>().ToList();
        Assert.That(commits.Select(c => c.CommitLsn), Is.EqualTo(begins.Select(b => b.FinalLsn)), "a commit has the LSN its begin announced");
        Assert.That(commits.Select(c => c.EndLsn), Is.Ordered.Ascending);
        Assert.That(commits.All(c => c.EndLsn > c.CommitLsn && c.CommitLsn > harness.ConsistentPoint), Is.True);
    }

    [Test]
    public async Task Replica_identity_decides_what_the_old_row_of_updates_and_deletes_carries()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE by_default (id int PRIMARY KEY, v text);
            CREATE TABLE by_full (id int, v text); ALTER TABLE by_full REPLICA IDENTITY FULL;
            CREATE TABLE by_index (id int, code text NOT NULL, v text); CREATE UNIQUE INDEX by_index_code ON by_index (code);
            ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code;
            CREATE TABLE by_nothing (id int PRIMARY KEY, v text); ALTER TABLE by_nothing REPLICA IDENTITY NOTHING;
            INSERT INTO by_default VALUES (1, 'old'); INSERT INTO by_full VALUES (1, 'old'); INSERT INTO by_index VALUES (1, 'k1', 'old');
            """, ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("""
            BEGIN;
            UPDATE by_default SET v = 'new'; UPDATE by_full SET v = 'new'; UPDATE by_index SET code = 'k2', v = 'new';
            DELETE FROM by_default; DELETE FROM by_full; DELETE FROM by_index;
            INSERT INTO by_nothing VALUES (7, 'x');
            COMMIT;
            """, ct);
        var changes = await harness.CollectCommitsAsync(1, ct);

        var relations = changes.OfType<RelationDefinition>().ToDictionary(r => r.Relation.Name, r => r.Relation);
        Assert.That(relations["by_default"].ReplicaIdentity, Is.EqualTo(ReplicaIdentityKind.Default));
        Assert.That(relations["by_full"].ReplicaIdentity, Is.EqualTo(ReplicaIdentityKind.Full));
        Assert.That(relations["by_full"].KeyColumns.Select(c => c.Name), Is.EqualTo(new[] { "id", "v" }));
        Assert.That(relations["by_index"].ReplicaIdentity, Is.EqualTo(ReplicaIdentityKind.Index));
        Assert.That(relations["by_index"].KeyColumns.Select(c => c.Name), Is.EqualTo(new[] { "code" }));
        Assert.That(relations["by_nothing"].ReplicaIdentity, Is.EqualTo(ReplicaIdentityKind.Nothing));
        Assert.That(relations["by_nothing"].KeyColumns, Is.Empty);

        var updates = changes.OfType<RowUpdate>().ToDictionary(u => u.Relation.Name);
        Assert.That(updates["by_default"].OldRowKind, Is.EqualTo(OldRowKind.None));
        Assert.That(updates["by_full"].OldRowKind, Is.EqualTo(OldRowKind.Full));
        Assert.That(updates["by_full"].OldRow!.Values.Select(v => v.Value), Is.EqualTo(new[] { I(1), T("old") }));
        Assert.That(updates["by_index"].OldRowKind, Is.EqualTo(OldRowKind.Key));
        Assert.That(updates["by_index"].OldRow!["code"].Value, Is.EqualTo(T("k1")));
        Assert.That(updates["by_index"].NewRow["code"].Value, Is.EqualTo(T("k2")));

        var deletes = changes.OfType<RowDelete>().ToDictionary(d => d.Relation.Name);
        Assert.That(deletes["by_default"].OldRow.Values.Select(v => v.Value), Is.EqualTo(new[] { I(1), SqliteValue.Null }));
        Assert.That((deletes["by_full"].OldRowKind, deletes["by_full"].OldRow["v"].Value), Is.EqualTo((OldRowKind.Full, T("new"))));
        Assert.That((deletes["by_index"].OldRowKind, deletes["by_index"].OldRow["code"].Value), Is.EqualTo((OldRowKind.Key, T("k2"))));

        var ex = Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ExecuteAsync("DELETE FROM by_nothing", ct));
        Assert.That(ex!.SqlState, Is.EqualTo("55000"), "Postgres itself refuses deletes on a published table without replica identity");
    }

    [Test]
    public async Task An_unchanged_toasted_value_is_a_marker_distinct_from_null()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE docs (id int PRIMARY KEY, title text, body text, note text);
            ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
            """, ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("INSERT INTO docs VALUES (1, 'first', repeat('0123456789', 3000), NULL)", ct);
        await db.ExecuteAsync("UPDATE docs SET title = 'second'", ct);
        var changes = await harness.CollectCommitsAsync(2, ct);

        var insert = changes.OfType<RowInsert>().Single();
        Assert.That(insert.NewRow["body"].Value.AsText, Has.Length.EqualTo(30000));
        var update = changes.OfType<RowUpdate>().Single();
        Assert.That(update.NewRow["title"], Is.EqualTo(ReplicatedValue.Of(T("second"))));
        Assert.That(update.NewRow["body"].IsUnchangedToast, Is.True);
        Assert.That(update.NewRow["note"], Is.EqualTo(ReplicatedValue.Of(SqliteValue.Null)), "a NULL is a NULL, not an unchanged value");
        Assert.That(update.NewRow.HasUnchangedToast, Is.True);
        Assert.That(insert.NewRow.HasUnchangedToast, Is.False);
    }

    [Test]
    public async Task A_column_added_mid_stream_sends_a_new_relation_before_the_next_row()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("INSERT INTO items VALUES (1, 'a')", ct);
        await db.ExecuteAsync("ALTER TABLE items ADD COLUMN price numeric", ct);
        await db.ExecuteAsync("INSERT INTO items VALUES (2, 'b', 9.50)", ct);
        var changes = await harness.CollectCommitsAsync(2, ct);

        var relations = changes.OfType<RelationDefinition>().Select(r => r.Relation).ToList();
        Assert.That(relations.Select(r => r.Columns.Length), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(relations[0].RelationId, Is.EqualTo(relations[1].RelationId));
        var inserts = changes.OfType<RowInsert>().ToList();
        Assert.That(inserts[1].NewRow["price"].Value, Is.EqualTo(T("9.50")));
        Assert.That(inserts[1].Relation, Is.SameAs(relations[1]));
        Assert.That(changes.IndexOf(changes.OfType<RelationDefinition>().Last()), Is.LessThan(changes.IndexOf(inserts[1])));
    }

    [Test]
    public async Task User_defined_types_are_loaded_when_their_relation_arrives()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(TypeMatrixTests.CreateCustomTypes, ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct, ValueMappingOptions.SyncStreams);

        await db.ExecuteAsync(TypeMatrixTests.InsertCustom, ct);
        var row = (await harness.CollectCommitsAsync(1, ct)).OfType<RowInsert>().Single().NewRow;

        Assert.That(row["rating"].Value, Is.EqualTo(SqliteValue.FromReal(1)));
        Assert.That(row["composite"].Value, Is.EqualTo(T("{\"foo\":[2.0,3.0],\"bar\":\"bar\",\"mood\":\"sad\"}")));
        Assert.That(row["moods"].Value, Is.EqualTo(T("[\"sad\",\"happy\"]")));
    }

    [Test]
    public async Task An_acknowledged_transaction_is_not_streamed_again_after_reconnecting()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        await db.ExecuteAsync("INSERT INTO items VALUES (1)", ct);
        await db.ExecuteAsync("INSERT INTO items VALUES (2)", ct);

        var first = await harness.CollectCommitsAsync(1, ct);
        var firstCommit = first.OfType<TransactionCommit>().Single();
        harness.Stream.Acknowledge(firstCommit.EndLsn);
        harness.Stream.Acknowledge(Lsn.Zero);
        harness.Stream.Acknowledge(harness.ConsistentPoint);
        Assert.That(harness.Stream.AcknowledgedLsn, Is.EqualTo(firstCommit.EndLsn), "acknowledgements only move forward and never to zero");
        await harness.Stream.SendStatusAsync(ct);
        await WaitForConfirmedFlushAsync(db, firstCommit.EndLsn, ct);
        await harness.ReconnectAsync();

        var second = await harness.CollectCommitsAsync(1, ct);
        Assert.That(second.OfType<RowInsert>().Select(i => i.NewRow["id"].Value), Is.EqualTo(new[] { I(2) }));
    }

    [Test]
    public async Task A_frozen_connection_is_detected_by_the_receive_timeout_while_an_idle_one_is_kept_alive()
    {
        var receiveTimeout = TimeSpan.FromSeconds(5);
        var ct = Timeout(120);
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var proxy = new FreezableTcpProxy(target.Host!, target.Port);
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        var options = new ReplicationStreamOptions(viaProxy, db.SlotName, db.PublicationName, TimeSpan.FromMilliseconds(200), receiveTimeout);
        await using var stream = new PgOutputReplicationStream(options, harness.Mapper);

        // (A 5 s timeout leaves room for a server reply delayed by a loaded machine during the parallel suite:
        // 3 s was once not enough with another CPU-bound process beside the suite.)
        // Idle for longer than the receive timeout (the delay is the stimulus, not a wait for a condition):
        // the stream's own feedback requests make the server answer, which keeps it alive; all it yields
        // meanwhile is the position the server reports in its keepalives.
        var changes = stream.ReadChangesAsync(Lsn.Zero, ct).GetAsyncEnumerator(ct);
        var idle = Task.Delay(receiveTimeout + TimeSpan.FromSeconds(2), ct);
        var positions = new List<ReplicationChange>();
        var next = changes.MoveNextAsync().AsTask();
        while (await Task.WhenAny(next, idle) == next)
        {
            Assert.That(await next, Is.True, "an idle but healthy connection must not time out");
            positions.Add(changes.Current);
            next = changes.MoveNextAsync().AsTask();
        }
        await db.ExecuteAsync("INSERT INTO items VALUES (1)", ct);
        while (await next && changes.Current is SourcePosition) next = changes.MoveNextAsync().AsTask();
        Assert.That(changes.Current, Is.InstanceOf<TransactionBegin>());
        Assert.That(positions, Is.Not.Empty.And.All.InstanceOf<SourcePosition>(), "an idle stream reports the server's position, nothing else");

        proxy.Freeze();
        var started = DateTime.UtcNow;
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () =>
        {
            while (await changes.MoveNextAsync())
            {
            }
        });
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.ReplicationTimeout));
        // Detection takes about three receive timeouts (15 s with 5 s); five leave room for a loaded machine.
        Assert.That(DateTime.UtcNow - started, Is.LessThan(receiveTimeout * 5), "detected within a few receive timeouts, not the test's two minutes");
        await changes.DisposeAsync();
    }

    [Test]
    public void Stream_options_report_every_invalid_value_together()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new ReplicationStreamOptions(
            "", "Bad-Slot", "powersync", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)));
        Assert.That(ex!.Message, Does.Contain("connectionString").And.Contain("slotName 'Bad-Slot'").And.Contain("receiveTimeout"));
        Assert.That(new ReplicationStreamOptions("Host=h;Password=secret", "slot").ToString(), Does.Not.Contain("secret"));
    }

    [Test]
    public async Task Creating_a_slot_that_exists_says_how_to_drop_it()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        await using var second = new PgOutputReplicationStream(harness.Options, harness.Mapper);

        var ex = Assert.ThrowsAsync<PowerSyncException>(() => second.CreateSlotAsync(ct));
        Assert.That(ex!.Message, Does.Contain($"pg_drop_replication_slot('{db.SlotName}')"));
    }

    /// <summary>Looks at the slot's confirmed position until it reaches <paramref name="lsn"/> (the server applies feedback asynchronously).</summary>
    private static async Task WaitForConfirmedFlushAsync(Infrastructure.Postgres.TestDatabase db, Lsn lsn, CancellationToken ct) =>
        await Eventually.HoldsAsync(
            async () => Lsn.Parse(await db.ScalarAsync<string>($"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{db.SlotName}'", ct)),
            confirmed => confirmed >= lsn, TimeSpan.FromSeconds(30), $"slot {db.SlotName} confirms {lsn}");
}
