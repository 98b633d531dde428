using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using PowerSync.Core.Admin;
using PowerSync.Core.Hosting;
using PowerSync.Core.Storage;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;
using PowerSync.Tool;

namespace PowerSync.Tests.Tool;

/// <summary>
/// <c>powersync status</c> and <c>compact</c> on the bucket store of a running service: versions, slots and lag;
/// compaction while the app replicates (SQLite) with every checksum unchanged; a LiteDB store open in another
/// process refused with a clear error; a missing store.
/// </summary>
public sealed class ToolStoreTests
{
    private const string Rules = "bucket_definitions:\n  global:\n    data:\n      - SELECT id, title FROM todos\n";

    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-tool-store-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token;

    private string Store => Path.Combine(_temp.Path, "buckets.db");

    private async Task<PowerSyncService> StartAsync(TestDatabase db, BucketStorageEngine engine, CancellationToken ct)
    {
        var rules = Path.Combine(_temp.Path, "sync-rules.yaml");
        await File.WriteAllTextAsync(rules, Rules, ct);
        var options = new PowerSyncOptions { SourceConnectionString = db.ConnectionString, SyncRulesPath = rules, StoragePath = Store, StorageEngine = engine };
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");
        var service = new PowerSyncService(options);
        await service.StartAsync(ct);
        await Eventually.HoldsAsync(() => Task.FromResult(service.HasCheckpoint), has => has, TimeSpan.FromSeconds(30), "the first checkpoint");
        return service;
    }

    private static async Task<TestDatabase> SourceAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE todos (id text PRIMARY KEY, title text);
            INSERT INTO todos VALUES ('a', 'a0'), ('b', 'b0'), ('c', 'c0');
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);
        return db;
    }

    [Test]
    public async Task Status_shows_the_active_version_its_streaming_slot_and_the_store_size()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await using var service = await StartAsync(db, BucketStorageEngine.Sqlite, ct);

        var text = await ToolRun.RunAsync("status", "--store", Store, "--connection", db.ConnectionString);
        var json = await ToolRun.RunAsync("status", "--store", Store, "--connection", db.ConnectionString, "--json");

        Assert.That(text.ExitCode, Is.EqualTo(PowerSyncTool.Ok), text.ToString());
        var slot = await db.ScalarAsync<string>("SELECT slot_name::text FROM pg_replication_slots WHERE database = current_database()", ct);
        Assert.That(text.Lines[0], Does.Match($@"^Bucket store: {System.Text.RegularExpressions.Regex.Escape(Store)} \(Sqlite, [0-9.]+ KiB\)$"));
        Assert.That(text.Lines[1], Does.Match(@"^Source WAL position: [0-9A-F]+/[0-9A-F]+$"));
        Assert.That(text.Lines[2], Does.Match(@"^Version 1: active, snapshot done, checkpoint op 3 at [0-9A-F]+/[0-9A-F]+$"));
        Assert.That(text.Lines[3], Does.StartWith($"  slot {slot}: streaming, WAL reserved, confirmed "));

        Assert.That(json.ExitCode, Is.EqualTo(PowerSyncTool.Ok), json.ToString());
        var status = json.Json;
        Assert.That(status.GetProperty("engine").GetString(), Is.EqualTo("sqlite"));
        Assert.That(status.GetProperty("store_bytes").GetInt64(), Is.EqualTo(new[] { Store, Store + "-wal", Store + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length)));
        var version = status.GetProperty("versions").EnumerateArray().Single();
        Assert.That((version.GetProperty("id").GetInt64(), version.GetProperty("state").GetString(), version.GetProperty("checkpoint_op_id").GetInt64(), version.GetProperty("slot_name").GetString()),
            Is.EqualTo((1L, "active", 3L, slot)));
        var slotStatus = version.GetProperty("slot");
        Assert.That(slotStatus.GetProperty("exists").GetBoolean() && slotStatus.GetProperty("active").GetBoolean(), Is.True);
        Assert.That(slotStatus.GetProperty("retained_wal_bytes").GetInt64(), Is.GreaterThanOrEqualTo(slotStatus.GetProperty("lag_bytes").GetInt64()));
        Assert.That(slotStatus.GetProperty("confirmed_flush_lsn").GetString(), Is.EqualTo(await db.ScalarAsync<string>("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE database = current_database()", ct)).Or.Not.Empty);
    }

    [Test]
    public async Task Status_without_a_reachable_source_shows_the_store_and_exits_1()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await (await StartAsync(db, BucketStorageEngine.Sqlite, ct)).DisposeAsync();

        var run = await ToolRun.RunAsync("status", "--store", Store, "--connection", $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Timeout=5");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.ProblemsFound), run.ToString());
        Assert.That(run.Lines[1], Does.StartWith("Source: cannot be queried: The source database cannot be queried:"));
        Assert.That(run.Lines, Has.Some.Match(@"^  slot powersync_1_[0-9a-f]+: not queried"));
    }

    [Test]
    public async Task Compact_while_the_app_replicates_moves_superseded_ops_and_keeps_every_checksum()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await using var service = await StartAsync(db, BucketStorageEngine.Sqlite, ct);
        await db.ExecuteAsync("UPDATE todos SET title = title || '1'", ct);
        await db.ExecuteAsync("UPDATE todos SET title = title || '2'", ct);
        await Eventually.HoldsAsync(() => ChecksumAsync(service, ct), c => c.Count == 9, TimeSpan.FromSeconds(30), "9 ops in global[]");
        var before = await ChecksumAsync(service, ct);

        var run = await ToolRun.RunAsync("compact", "--store", Store, "--json");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
        var report = run.Json;
        // 3 snapshot PUTs and 6 update PUTs: the first 6 are superseded (MOVE), then form a leading run (one CLEAR for 6 ops).
        Assert.That((report.GetProperty("rules_version").GetInt64(), report.GetProperty("buckets_scanned").GetInt64(), report.GetProperty("ops_scanned").GetInt64(),
            report.GetProperty("ops_moved").GetInt64(), report.GetProperty("ops_cleared").GetInt64()), Is.EqualTo((1L, 1L, 9L, 6L, 5L)));
        Assert.That(report.GetProperty("duration").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(StoredChecksum(Store, before.At), Is.EqualTo(before.Checksum), "the bucket's checksum at the compacted checkpoint is unchanged");

        // The app goes on replicating into the compacted store: its next checkpoint adds one op to the 4 left.
        await db.ExecuteAsync("UPDATE todos SET title = 'new' WHERE id = 'a'", ct);
        await Eventually.HoldsAsync(() => ChecksumAsync(service, ct), c => c.At > before.At, TimeSpan.FromSeconds(30), "a checkpoint after the compaction");
        var after = await ChecksumAsync(service, ct);
        Assert.That(after.Count, Is.EqualTo(5));
        Assert.That(after.Checksum, Is.EqualTo(StoredChecksum(Store, after.At)), "the app's checksum is the sum of the compacted ops");
    }

    [Test]
    public async Task A_LiteDb_store_open_in_another_process_is_refused_with_a_clear_error_and_left_intact()
    {
        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await (await StartAsync(db, BucketStorageEngine.LiteDb, ct)).DisposeAsync();
        var size = new FileInfo(Store).Length;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", typeof(ToolStoreTests).Assembly.Location, "hold-litedb-store", Store }) start.ArgumentList.Add(arg);
        using (var holder = Process.Start(start)!)
        {
            Assert.That(await holder.StandardOutput.ReadLineAsync(ct), Is.EqualTo("OPEN"));

            var compact = await ToolRun.RunAsync("compact", "--store", Store, "--engine", "litedb");
            var status = await ToolRun.RunAsync("status", "--store", Store, "--engine", "litedb");

            holder.StandardInput.Close();
            await holder.WaitForExitAsync(ct);
            Assert.That(compact.ExitCode, Is.EqualTo(PowerSyncTool.Failed), compact.ToString());
            Assert.That(compact.Stderr.Trim(), Is.EqualTo(
                $"error: [{StorageErrorCodes.StoreInUse}] The LiteDB bucket store '{Store}' is open in another process (it holds '{Path.Combine(_temp.Path, "buckets-lock.db")}'). " +
                "A LiteDB store can be used by one process at a time, since two writers would corrupt it: stop the other process (the app) first, " +
                "or use the SQLite engine, whose store several processes can use at once."));
            Assert.That(status.ExitCode, Is.EqualTo(PowerSyncTool.Failed), status.ToString());
        }

        var after = await ToolRun.RunAsync("compact", "--store", Store, "--engine", "litedb");
        Assert.That(after.ExitCode, Is.EqualTo(PowerSyncTool.Ok), after.ToString());
        Assert.That(after.Lines[0], Does.StartWith("Compacted sync rules version 1 in "));
        Assert.That(new FileInfo(Store).Length, Is.GreaterThanOrEqualTo(size));
    }

    [Test]
    public async Task A_missing_store_or_a_file_that_is_not_one_of_that_engine_is_named_and_left_as_it_is()
    {
        var missing = Path.Combine(_temp.Path, "nope.db");
        var run = await ToolRun.RunAsync("status", "--store", missing);
        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Failed), run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo(
            $"error: [{AdminErrorCodes.StoreMissing}] The bucket store '{missing}' does not exist. Give the StoragePath the app uses (relative paths are relative to the app's working directory)."));
        Assert.That(File.Exists(missing), Is.False);

        // Both engines would make an empty or tiny file a new store of their own: the tool checks the header first.
        var empty = Path.Combine(_temp.Path, "empty.db");
        await File.WriteAllBytesAsync(empty, []);
        var notes = Path.Combine(_temp.Path, "notes.db");
        await File.WriteAllTextAsync(notes, "not a store");
        var emptyRun = await ToolRun.RunAsync("status", "--store", empty);
        var notesRun = await ToolRun.RunAsync("compact", "--store", notes, "--engine", "litedb");
        Assert.That((emptyRun.ExitCode, notesRun.ExitCode), Is.EqualTo((PowerSyncTool.Failed, PowerSyncTool.Failed)), emptyRun + "\n" + notesRun);
        Assert.That(emptyRun.Stderr, Does.StartWith($"error: [{AdminErrorCodes.StoreUnreadable}] '{empty}' is not a Sqlite bucket store (its first bytes are not a Sqlite file header)."));
        Assert.That(notesRun.Stderr, Does.StartWith($"error: [{AdminErrorCodes.StoreUnreadable}] '{notes}' is not a LiteDb bucket store"));
        Assert.That((new FileInfo(empty).Length, await File.ReadAllTextAsync(notes)), Is.EqualTo((0L, "not a store")), "both left as they were");

        var ct = Timeout();
        await using var db = await SourceAsync(ct);
        await (await StartAsync(db, BucketStorageEngine.Sqlite, ct)).DisposeAsync();
        var wrongEngine = await ToolRun.RunAsync("compact", "--store", Store, "--engine", "litedb");
        Assert.That(wrongEngine.ExitCode, Is.EqualTo(PowerSyncTool.Failed), wrongEngine.ToString());
        Assert.That(wrongEngine.Stderr, Does.StartWith($"error: [{AdminErrorCodes.StoreUnreadable}] '{Store}' is not a LiteDb bucket store"));
    }

    private static async Task<(long Count, uint Checksum, long At)> ChecksumAsync(PowerSyncService service, CancellationToken ct)
    {
        if (await service.Storage.Reader.GetCheckpointAsync(ct) is not { } checkpoint) return (0, 0, 0);
        var value = (await service.Storage.Reader.GetChecksumsAsync(checkpoint, ["global[]"], ct))[0];
        return (value.Count, value.Checksum, checkpoint.OpId.Value);
    }

    /// <summary>The sum of the op checksums of global[] up to an op, read from the file as a client would add them up.</summary>
    private static uint StoredChecksum(string store, long upTo)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT coalesce(sum(d.checksum), 0) FROM bucket_data d JOIN buckets b ON b.id = d.bucket_id WHERE b.name = 'global[]' AND d.op_id <= $at";
        cmd.Parameters.AddWithValue("$at", upTo);
        return unchecked((uint)(long)cmd.ExecuteScalar()!);
    }
}
