using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

/// <summary>Stream cases beyond the basics: identity changes, no-op updates, multi-table truncates, slot and publication loss, keepalives.</summary>
public sealed class StreamEdgeCaseTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static SqliteValue I(long value) => SqliteValue.FromInteger(value);

    [Test]
    public async Task Replica_identity_full_with_a_no_op_update_then_delete_carries_the_full_old_row_each_time()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE t (id int, v text); ALTER TABLE t REPLICA IDENTITY FULL; INSERT INTO t VALUES (1, 'x');", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("UPDATE t SET v = v", ct);
        await db.ExecuteAsync("DELETE FROM t", ct);
        var changes = await harness.CollectCommitsAsync(2, ct);

        var update = changes.OfType<RowUpdate>().Single();
        Assert.That(update.OldRowKind, Is.EqualTo(OldRowKind.Full));
        Assert.That(update.OldRow!.Values, Is.EqualTo(update.NewRow.Values), "a no-op update still replicates, old equal to new");
        var delete = changes.OfType<RowDelete>().Single();
        Assert.That((delete.OldRowKind, delete.OldRow["id"].Value, delete.OldRow["v"].Value), Is.EqualTo((OldRowKind.Full, I(1), SqliteValue.FromText("x"))));
    }

    [Test]
    public async Task Changing_the_replica_identity_mid_stream_sends_a_new_relation()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("UPDATE t SET v = 'b'", ct);
        await db.ExecuteAsync("ALTER TABLE t REPLICA IDENTITY FULL", ct);
        await db.ExecuteAsync("UPDATE t SET v = 'c'", ct);
        var changes = await harness.CollectCommitsAsync(2, ct);

        Assert.That(changes.OfType<RelationDefinition>().Select(r => r.Relation.ReplicaIdentity),
            Is.EqualTo(new[] { ReplicaIdentityKind.Default, ReplicaIdentityKind.Full }));
        Assert.That(changes.OfType<RowUpdate>().Select(u => u.OldRowKind), Is.EqualTo(new[] { OldRowKind.None, OldRowKind.Full }));
    }

    [Test]
    public async Task Truncating_several_tables_at_once_is_one_change_with_its_options()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE a (id serial PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY REFERENCES a(id)); INSERT INTO a DEFAULT VALUES;", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("TRUNCATE a, b RESTART IDENTITY CASCADE", ct);
        var truncate = (await harness.CollectCommitsAsync(1, ct)).OfType<TableTruncate>().Single();

        Assert.That(truncate.Relations.Select(r => r.Name).Order(), Is.EqualTo(new[] { "a", "b" }));
        Assert.That((truncate.Cascade, truncate.RestartIdentity), Is.EqualTo((true, true)));
    }

    [Test]
    public async Task Keepalive_messages_arrive_at_the_lsn_they_were_written_and_transactional_messages_inside_their_transaction()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync("SELECT pg_logical_emit_message(true, 'app', 'inside')", ct);
        var keepaliveLsn = await SourceKeepalive.EmitAsync(harness.DataSource, ct);
        var changes = await harness.CollectUntilAsync(c => c is LogicalMessage m && SourceKeepalive.IsKeepalive(m), ct);

        Assert.That(changes.Select(c => c.GetType().Name), Is.EqualTo(new[] { "TransactionBegin", "LogicalMessage", "TransactionCommit", "LogicalMessage" }));
        var inside = (LogicalMessage)changes[1];
        Assert.That((inside.Prefix, inside.Transactional, Encoding.UTF8.GetString([.. inside.Content])), Is.EqualTo(("app", true, "inside")));
        var keepalive = (LogicalMessage)changes[3];
        Assert.That(keepalive.MessageLsn, Is.EqualTo(keepaliveLsn));
        Assert.That(keepalive.MessageLsn.IsZero, Is.False);
    }

    [Test]
    public async Task A_dropped_slot_is_reported_as_invalidated_so_replication_starts_over()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        var healthy = await ReplicationSlotState.ReadAsync(harness.DataSource, db.SlotName, ct);

        await harness.Stream.DropSlotAsync(ct);
        var missing = await ReplicationSlotState.ReadAsync(harness.DataSource, db.SlotName, ct);
        await harness.ReconnectAsync();
        var ex = Assert.ThrowsAsync<PowerSyncException>(() => harness.CollectCommitsAsync(1, ct));

        Assert.That((healthy.Health, healthy.ConfirmedFlushLsn), Is.EqualTo((ReplicationSlotHealth.Healthy, harness.ConsistentPoint)));
        Assert.That(missing.Health, Is.EqualTo(ReplicationSlotHealth.Missing));
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SlotInvalidated));
        Assert.That(ex.Message, Does.Contain(db.SlotName).And.Contain("new snapshot"));
    }

    [Test]
    public async Task A_dropped_publication_is_reported_with_how_to_create_it()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);

        await db.ExecuteAsync($"DROP PUBLICATION {db.PublicationName}; INSERT INTO t VALUES (1);", ct);
        var ex = Assert.ThrowsAsync<PowerSyncException>(() => harness.CollectCommitsAsync(1, ct));

        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.PublicationMissing));
        Assert.That(ex.Message, Does.Contain($"CREATE PUBLICATION \"{db.PublicationName}\""));
    }
}
