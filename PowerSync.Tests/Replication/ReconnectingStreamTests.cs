using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

public sealed class ReconnectingStreamTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static readonly ReconnectPolicy Fast = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));

    private static async Task<List<ReplicationChange>> NextUntilAsync(IAsyncEnumerator<ReplicationChange> changes, Func<ReplicationChange, bool> until)
    {
        var seen = new List<ReplicationChange>();
        while (await changes.MoveNextAsync())
        {
            seen.Add(changes.Current);
            if (until(changes.Current)) return seen;
        }
        throw new InvalidOperationException("The stream ended.");
    }

    [Test]
    public async Task A_dropped_connection_restarts_from_the_acknowledged_lsn_without_replaying_acknowledged_transactions()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var proxy = new FreezableTcpProxy(target.Host!, target.Port);
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        var stream = new ReconnectingReplicationStream(
            new ReplicationStreamOptions(viaProxy, db.SlotName, db.PublicationName), harness.Mapper, Fast);
        await using var changes = stream.ReadChangesAsync(Lsn.Zero, ct).GetAsyncEnumerator(ct);

        await db.ExecuteAsync("INSERT INTO items VALUES (1)", ct);
        var first = await NextUntilAsync(changes, c => c is TransactionCommit);
        var commit = (TransactionCommit)first[^1];
        stream.Acknowledge(commit.EndLsn);
        await db.ExecuteAsync("INSERT INTO items VALUES (2)", ct);
        var second = await NextUntilAsync(changes, c => c is TransactionCommit);
        proxy.DropConnections();
        await db.ExecuteAsync("INSERT INTO items VALUES (3)", ct);
        var afterDrop = await NextUntilAsync(changes, c => c is RowInsert { NewRow: var row } && row["id"].Value == SqliteValue.FromInteger(3));

        Assert.That(first.OfType<RowInsert>().Single().NewRow["id"].Value, Is.EqualTo(SqliteValue.FromInteger(1)));
        Assert.That(second.OfType<RowInsert>().Single().NewRow["id"].Value, Is.EqualTo(SqliteValue.FromInteger(2)));
        var restart = afterDrop.OfType<StreamRestarted>().First();
        Assert.That(restart.ResumeLsn, Is.EqualTo(commit.EndLsn));
        Assert.That(restart.Attempt, Is.EqualTo(1));
        Assert.That(afterDrop.OfType<RowInsert>().Select(i => i.NewRow["id"].Value.AsInteger), Is.EqualTo(new long[] { 2, 3 }),
            "the unacknowledged transaction is streamed again, the acknowledged one is not");
        Assert.That(afterDrop.IndexOf(restart), Is.LessThan(afterDrop.FindIndex(c => c is RowInsert)));
    }

    [Test]
    public async Task A_missing_slot_is_not_retried()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES", ct);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(dataSource), ValueMappingOptions.Legacy);
        var stream = new ReconnectingReplicationStream(new ReplicationStreamOptions(db.ConnectionString, db.SlotName, db.PublicationName), mapper, Fast);

        var ex = Assert.ThrowsAsync<PowerSyncException>(async () =>
        {
            await foreach (var change in stream.ReadChangesAsync(Lsn.Zero, ct))
            {
                Assert.That(change, Is.Not.InstanceOf<StreamRestarted>());
            }
        });
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SlotInvalidated));
    }

    [Test]
    public async Task Cancellation_ends_the_stream_while_it_waits_to_reconnect()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(dataSource), ValueMappingOptions.Legacy);
        // Nothing listens on this port: every attempt fails with a connection error and backs off.
        var unreachable = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = 1, Timeout = 2 }.ConnectionString;
        var stream = new ReconnectingReplicationStream(
            new ReplicationStreamOptions(unreachable, db.SlotName), mapper, new ReconnectPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)));
        await using var changes = stream.ReadChangesAsync(Lsn.Zero, cts.Token).GetAsyncEnumerator(cts.Token);

        var restarts = await NextUntilAsync(changes, c => c is StreamRestarted { Attempt: 3 });
        Assert.That(restarts.Cast<StreamRestarted>().Select(r => r.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
        var waiting = changes.MoveNextAsync().AsTask();
        await cts.CancelAsync();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Backoff_grows_exponentially_within_its_bounds()
    {
        var policy = new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var random = new Random(7);
        var delays = Enumerable.Range(1, 8).Select(a => policy.DelayFor(a, random)).ToList();

        Assert.That(delays, Is.All.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)));
        Assert.That(policy.DelayFor(1, random), Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ReconnectPolicy(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Replication_retries_at_least_every_10_s_however_long_the_source_was_down()
    {
        var random = new Random(11);
        var delays = Enumerable.Range(1, 40).Select(a => ReconnectPolicy.Default.DelayFor(a, random)).ToList();

        Assert.That(delays, Is.All.LessThanOrEqualTo(TimeSpan.FromSeconds(10)), "a restarted source is picked up within 10 s");
        Assert.That(delays[^1], Is.GreaterThan(TimeSpan.FromSeconds(1)), "but retries still back off");
    }

    [Test]
    public void A_slot_still_held_by_the_old_walsender_is_retried_but_a_missing_one_is_not()
    {
        var active = new Npgsql.PostgresException("replication slot \"s\" is active for PID 42", "ERROR", "ERROR", "55006");
        var missing = new Npgsql.PostgresException("replication slot \"s\" does not exist", "ERROR", "ERROR", "42704");
        var slotLost = new PowerSyncException(ReplicationErrorCodes.SlotInvalidated, "lost");
        var timeout = new PowerSyncException(ReplicationErrorCodes.ReplicationTimeout, "silent");

        Assert.That(ReconnectingReplicationStream.IsTransient(active, CancellationToken.None), Is.True);
        Assert.That(ReconnectingReplicationStream.IsTransient(timeout, CancellationToken.None), Is.True);
        Assert.That(ReconnectingReplicationStream.IsTransient(missing, CancellationToken.None), Is.False);
        Assert.That(ReconnectingReplicationStream.IsTransient(slotLost, CancellationToken.None), Is.False);
        Assert.That(ReconnectingReplicationStream.IsTransient(timeout, new CancellationToken(canceled: true)), Is.False, "cancellation always ends the loop");
    }

    [Test]
    public void Generated_slot_names_follow_the_official_pattern_and_are_valid_options()
    {
        var name = ReplicationStreamOptions.GenerateSlotName(3);
        Assert.That(name, Does.Match("^powersync_3_[0-9a-f]{4}$"));
        Assert.DoesNotThrow(() => _ = new ReplicationStreamOptions("Host=h", name));
    }
}
