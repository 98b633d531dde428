using Microsoft.Data.Sqlite;
using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// The first apply of a download into an empty op log: when every op names a row no other op names, it
/// copies the op log without the op log's indexes, which come back when the next save or apply needs them.
/// </summary>
[TestFixture]
public sealed class FirstApplyTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task A_first_download_of_rows_seen_once_is_applied_and_the_op_log_indexes_return_for_the_next_checkpoint()
    {
        var t1 = Put(1, "t1", """{"id":"t1","description":"one"}""");
        var t2 = Put(2, "t2", """{"id":"t2","description":"two"}""");
        var l3 = Put(3, "l1", """{"id":"l1","name":"list"}""", type: "lists");
        var u4 = Put(4, "u1", """{"id":"u1","kind":"not in the schema"}""", type: "unknown");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(4, null, Bucket("a", Sum(t1, t2), 2), Bucket("b", Sum(l3, u4), 2)), Data("a", t1, t2), Data("b", l3, u4), Complete(4));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"one"), ("t2", "two") }));
        Assert.That(await _h.Db.GetAllAsync<string>("SELECT name FROM lists"), Is.EqualTo(new[] { "list" }));
        Assert.That(await _h.Db.GetAllAsync<string>("SELECT type || ':' || id || ':' || data FROM ps_untyped"),
            Is.EqualTo(new[] { """unknown:u1:{"id":"u1","kind":"not in the schema"}""" }));
        Assert.That(await OplogIndexesAsync(_h.Db), Is.Empty, "the first apply did not need the op log's indexes");

        // The next checkpoint supersedes t1 and removes t2 in bucket a: that needs the row index again.
        var t5 = Put(5, "t1", """{"id":"t1","description":"one, changed"}""");
        var t6 = Remove(6, "t2");
        stream.Send(Checkpoint(6, null, Bucket("a", Sum(t1, t2, t5, t6), 4), Bucket("b", Sum(l3, u4), 2)), Data("a", t5, t6), Complete(6));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 1, "the second checkpoint to apply");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"one, changed") }));
        Assert.That(await OplogIndexesAsync(_h.Db), Is.EqualTo(new[] { "ps_oplog_opid", "ps_oplog_row" }));
        Assert.That(await _h.Db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 3, 4, 5 }), "one live op per key");
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_buckets b WHERE op_checksum != (SELECT coalesce(sum(hash), 0) FROM ps_oplog WHERE bucket = b.id) & 0xffffffff"),
            Is.Zero, "op_checksum holds exactly the live ops' hashes");
        Assert.That(_h.Db.CurrentStatus.DownloadError, Is.Null);
    }

    [Test]
    public async Task A_first_download_reaches_the_database_file_once_applied_not_while_its_lines_are_saved()
    {
        // 1600 rows of about 3 KB, one page each: past the 1000 pages after which a checkpoint is due.
        const int Rows = 1600;
        var ops = Enumerable.Range(1, Rows).Select(n => Put(n, $"r{n}", $$"""{"id":"r{{n}}","description":"{{new string('x', 3000)}}"}""")).ToArray();
        var stream = await _h.ConnectAsync();
        stream.Send([Checkpoint(Rows, null, Bucket("a", Sum(ops), Rows)), .. ops.Chunk(100).Select(chunk => Data("a", chunk))]);
        await Eventually.HoldsAsync(async () => (Saved: await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_oplog"), _h.Db.CurrentStatus),
            seen => seen.Saved == Rows, Eventually.Timeout, "every line is saved");

        Assert.That(new FileInfo(_h.Context.DatabasePath).Length, Is.LessThan(Rows * 3000L), "the saved lines' pages are still in the WAL only: no checkpoint while the download runs");

        stream.Send(Complete(Rows));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");
        await Eventually.HoldsAsync(() => Task.FromResult(new FileInfo(_h.Context.DatabasePath).Length), length => length >= 2L * Rows * 3000,
            Eventually.Timeout, "the op log's and the table's pages are checkpointed into the database file after the apply");
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM test"), Is.EqualTo(Rows));
    }

    [Test]
    public async Task A_first_download_with_more_types_than_scans_sends_each_op_to_its_own_table()
    {
        var types = new[] { "test", "lists", "x", "y", "z" };
        Assert.That(types, Has.Length.GreaterThan(PowerSync.Client.Sync.LocalOplog.MaxScansPerApply), "this download takes the one-pass copy");
        // Types interleave within each line, so the pass switches tables op by op.
        var ops = Enumerable.Range(1, 40).Select(n =>
        {
            var type = types[n % types.Length];
            var data = type == "lists" ? $$"""{"id":"r{{n}}","name":"n{{n}}"}""" : $$"""{"id":"r{{n}}","description":"d{{n}}"}""";
            return Put(n, $"r{n}", data, type);
        }).ToArray();
        var stream = await _h.ConnectAsync();
        stream.Send([Checkpoint(40, null, Bucket("a", Sum(ops[..20]), 20), Bucket("b", Sum(ops[20..]), 20)), Data("a", ops[..20]), Data("b", ops[20..]), Complete(40)]);

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.Db.GetAllAsync<string>("SELECT id || '=' || description FROM test ORDER BY id"),
            Is.EqualTo(ops.Where(o => o.Type == "test").OrderBy(o => o.Id, StringComparer.Ordinal).Select(o => $"{o.Id}=d{o.Id[1..]}")));
        Assert.That(await _h.Db.GetAllAsync<string>("SELECT id || '=' || name FROM lists ORDER BY id"),
            Is.EqualTo(ops.Where(o => o.Type == "lists").OrderBy(o => o.Id, StringComparer.Ordinal).Select(o => $"{o.Id}=n{o.Id[1..]}")));
        Assert.That(await _h.Db.GetAllAsync<string>("SELECT type || '/' || id || '=' || data FROM ps_untyped ORDER BY type, id"),
            Is.EqualTo(ops.Where(o => o.Type is "x" or "y" or "z").OrderBy(o => o.Type, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal).Select(o => $"{o.Type}/{o.Id}={o.Data}")));
        Assert.That(await OplogIndexesAsync(_h.Db), Is.Empty);
    }

    [Test]
    public async Task A_clear_inside_a_first_download_line_drops_the_grouped_puts_before_it_and_keeps_those_after()
    {
        // 37 PUTs fill two grouped inserts and leave five; the CLEAR then removes them all.
        var before = Enumerable.Range(1, 37).Select(n => Put(n, $"r{n}", $$"""{"id":"r{{n}}","description":"old {{n}}"}""")).ToArray();
        var clearChecksum = Sum(before);
        Op[] after = [Put(39, "r1", """{"id":"r1","description":"new 1"}"""), Put(40, "r50", """{"id":"r50","description":"new 50"}""")];
        var ops = string.Join(",", before.Select(OpJson)) + $$""",{"checksum":{{unchecked((uint)clearChecksum)}},"op":"CLEAR","op_id":"38"},""" + string.Join(",", after.Select(OpJson));
        var line = "{\"data\":{\"bucket\":\"a\",\"data\":[" + ops + "],\"has_more\":false}}";
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(40, null, Bucket("a", unchecked(clearChecksum + Sum(after)), 3)), line, Complete(40));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("r1", (string?)"new 1"), ("r50", "new 50") }));
        Assert.That(await _h.Db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 39, 40 }), "the clear removed every grouped put before it");
        Assert.That(_h.Db.CurrentStatus.DownloadError, Is.Null, "the checksum matched");
    }

    [Test]
    public async Task A_row_named_by_two_buckets_takes_the_indexed_apply_and_its_latest_op_wins()
    {
        var a1 = Put(1, "t1", """{"id":"t1","description":"from a"}""");
        var b2 = Put(2, "t1", """{"id":"t1","description":"from b"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2), 1)), Data("b", b2), Data("a", a1), Complete(2));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"from b") }), "op 2 wins although bucket a's op was stored later");
        Assert.That(await OplogIndexesAsync(_h.Db), Is.EqualTo(new[] { "ps_oplog_opid", "ps_oplog_row" }));
    }

    [Test]
    public async Task A_clear_starts_the_next_download_in_bulk_mode_from_scratch()
    {
        var t1 = Put(1, "t1", """{"id":"t1","description":"one"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(t1), 1)), Data("a", t1), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        await _h.Db.DisconnectAndClearAsync();
        Assert.That(await OplogIndexesAsync(_h.Db), Is.EqualTo(new[] { "ps_oplog_opid", "ps_oplog_row" }), "a clear leaves an empty, indexed op log");

        // The same row again: not a repeat, since the clear emptied the op log.
        stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(t1), 1)), Data("a", t1), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the sync after the clear");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"one") }));
        Assert.That(await OplogIndexesAsync(_h.Db), Is.Empty, "the download after the clear took the first-apply copy");
    }

    [Test]
    public async Task An_op_log_with_full_keys_is_rewritten_to_subkeys_on_open_and_supersedes_as_before()
    {
        var t1 = Put(1, "t1", """{"id":"t1","description":"one"}""");
        var t2 = Put(2, "t2", """{"id":"t2","description":"two"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("a", Sum(t1, t2), 2)), Data("a", t1, t2), Complete(2));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");
        await _h.Db.DisconnectAsync();
        var subkeys = await _h.Db.GetAllAsync<string>("SELECT key FROM ps_oplog ORDER BY op_id");
        Assert.That(subkeys, Is.EqualTo(new[] { "test/t1", "test/t2" }), "the key column holds the subkey as sent");
        await _h.Db.DisposeAsync();

        // Make it a database from before the change: full type/id/subkey keys, no format marker.
        await using (var raw = new SqliteConnection($"Data Source={_h.Context.DatabasePath};Pooling=False"))
        {
            await raw.OpenAsync();
            await using var command = raw.CreateCommand();
            command.CommandText = "UPDATE ps_oplog SET key = row_type || '/' || row_id || '/' || key; DELETE FROM ps_kv WHERE key = '" + PowerSync.Client.LocalDatabase.InternalTables.OplogKeyFormat + "'";
            await command.ExecuteNonQueryAsync();
        }

        var db = await _h.Context.OpenAsync(SyncHarness.TestSchema);
        Assert.That(await db.GetAllAsync<string>("SELECT key FROM ps_oplog ORDER BY op_id"), Is.EqualTo(subkeys));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_kv WHERE key = ?", [PowerSync.Client.LocalDatabase.InternalTables.OplogKeyFormat]), Is.EqualTo(1));

        await db.ConnectAsync(new TestConnector(_h.Server.Endpoint), SyncHarness.Options);
        stream = await _h.Server.NextStreamAsync();
        var t3 = Put(3, "t1", """{"id":"t1","description":"one, changed"}""");
        stream.Send(Checkpoint(3, null, Bucket("a", Sum(t1, t2, t3), 3)), Data("a", t3), Complete(3));
        await Eventually.UntilAsync(db, "SELECT count(*) FROM test WHERE description = 'one, changed'", n => n == 1, "the superseding op to apply");
        Assert.That(await db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 2, 3 }), "op 1 was superseded");
        Assert.That(db.CurrentStatus.DownloadError, Is.Null);
    }

    [Test]
    public async Task A_download_past_the_bulk_row_limit_goes_on_op_by_op_and_supersedes_exactly()
    {
        await using var ctx = new ClientTestContext();
        await using var server = new LoopbackSyncServer();
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = ctx.DatabasePath,
            Schema = SyncHarness.TestSchema,
            BulkRowLimit = 3,
        });
        // Ten rows in lines of two: bulk mode ends after the second line, inside the same save.
        var puts = Enumerable.Range(1, 10).Select(n => Put(n, $"r{n}", $$"""{"id":"r{{n}}","description":"v{{n}}"}""")).ToArray();
        var again = Put(11, "r2", """{"id":"r2","description":"v11"}""");
        var r1Gone = Remove(12, "r1");
        Op[] all = [.. puts, again, r1Gone];
        await db.ConnectAsync(new TestConnector(server.Endpoint), SyncHarness.Options);
        var stream = await server.NextStreamAsync();
        stream.Send([Checkpoint(12, null, Bucket("a", Sum(all), all.Length)), .. all.Chunk(2).Select(ops => Data("a", ops))]);
        await Eventually.WithTimeout(db.WaitForStatusAsync(s => s.DownloadProgress is { DownloadedOperations: >= 12 }), "the ops to be stored");
        Assert.That(await OplogIndexesAsync(db), Is.EqualTo(new[] { "ps_oplog_opid", "ps_oplog_row" }), "bulk mode ended before the download did");

        stream.Send(Complete(12));
        await Eventually.WithTimeout(db.WaitForFirstSyncAsync(), "the first sync");

        var expected = Enumerable.Range(2, 9).Select(n => ($"r{n}", (string?)(n == 2 ? "v11" : $"v{n}"))).OrderBy(r => r.Item1, StringComparer.Ordinal);
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(expected));
        Assert.That(await db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 3, 4, 5, 6, 7, 8, 9, 10, 11 }), "r1's and r2's earlier ops are gone");
        Assert.That(await OplogIndexesAsync(db), Is.EqualTo(new[] { "ps_oplog_opid", "ps_oplog_row" }));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_oplog_pending"), Is.Zero);
        Assert.That(db.CurrentStatus.DownloadError, Is.Null, "the checksum matched");
    }

    private static Task<IReadOnlyList<string>> OplogIndexesAsync(PowerSyncDatabase db) =>
        db.GetAllAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ps_oplog' ORDER BY name");
}
