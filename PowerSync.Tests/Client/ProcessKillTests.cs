using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// A real child process (this assembly, <see cref="CrashChild"/>) works on a client database and is killed
/// with <see cref="Process.Kill(bool)"/> at points the test picks; the database is then reopened here and
/// must be intact, keep every acknowledged write and converge with the server.
/// </summary>
[TestFixture]
public sealed class ProcessKillTests
{
    /// <summary>How long a child client process may take to start and connect: a new .NET process, slow on a loaded machine.</summary>
    private static readonly TimeSpan ChildStart = TimeSpan.FromSeconds(60);

    private ClientTestContext _ctx = null!;
    private LoopbackSyncServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        _ctx = new ClientTestContext();
        _server = new LoopbackSyncServer();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _ctx.DisposeAsync();
    }

    [Test]
    public async Task Killed_inside_a_local_write_transaction_loses_only_that_transaction()
    {
        await using (var child = ChildProcess.Start("writes", _ctx.DatabasePath, "10"))
        {
            await child.ReadUntilAsync(line => line == "AT mid-write", "the writer to stop inside transaction 10");
            child.Kill();
            Assert.That(child.Lines.Count(l => l.StartsWith("ACK ", StringComparison.Ordinal)), Is.EqualTo(10));
        }

        var db = await _ctx.OpenAsync(SyncHarness.TestSchema);
        var written = await AssertWholeTransactionsQueuedAsync(db);
        Assert.That(written, Is.EqualTo(10), "transactions 0-9 were acknowledged, 10 never committed");
    }

    [Test]
    public async Task Killed_at_an_arbitrary_point_of_a_write_loop_keeps_every_acknowledged_write()
    {
        var acked = new Random().Next(5, 40);
        await using (var child = ChildProcess.Start("writes", _ctx.DatabasePath, "-1"))
        {
            await child.ReadUntilAsync(line => line == $"ACK {acked}", $"write {acked} to be acknowledged");
            child.Kill(); // the child keeps writing: the kill lands anywhere in a later transaction
        }

        var db = await _ctx.OpenAsync(SyncHarness.TestSchema);
        var written = await AssertWholeTransactionsQueuedAsync(db);
        Assert.That(written, Is.GreaterThan(acked), $"every acknowledged transaction (0-{acked}) is kept");
    }

    // steps: 100-instruction progress callbacks into the apply before the writer stops (1: at its start,
    // 300: inside the row copy, 5000: never, so the kill comes just after the commit).
    [TestCase(1)]
    [TestCase(300)]
    [TestCase(5000)]
    public async Task Killed_inside_the_checkpoint_apply_reopens_with_none_or_all_of_it_and_converges(int steps)
    {
        var a = Enumerable.Range(1, 500).Select(n => Put(n, $"r{n}", $$"""{"id":"r{{n}}","description":"row {{n}}"}""")).ToArray();
        var b = Enumerable.Range(501, 500).Select(n => Put(n, $"r{n}", $$"""{"id":"r{{n}}","description":"row {{n}}"}""")).ToArray();
        var checkpoint = Checkpoint(1000, null, Bucket("a", Sum(a), a.Length), Bucket("b", Sum(b), b.Length));
        string stoppedAt;
        await using (var child = ChildProcess.Start("apply", _ctx.DatabasePath, _server.Endpoint.ToString(), steps.ToString(CultureInfo.InvariantCulture)))
        {
            var stream = await _server.NextStreamAsync(ChildStart);
            stream.Send([checkpoint, .. a.Chunk(100).Select(ops => Data("a", ops)), .. b.Chunk(100).Select(ops => Data("b", ops))]);
            await child.ReadUntilAsync(line => line == "DOWNLOADED", "the download to be stored");
            stream.Send(Complete(1000));
            stoppedAt = await child.ReadUntilAsync(line => line is "AT mid-apply" or "SYNCED", "the apply to stop or finish");
            child.Kill();
        }

        var db = await _ctx.OpenAsync(SyncHarness.TestSchema);
        Assert.That(await db.GetAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM test"), Is.EqualTo(stoppedAt == "SYNCED" ? 1000 : 0), "a checkpoint is applied whole or not at all");

        await db.ConnectAsync(new TestConnector(_server.Endpoint), SyncHarness.Options);
        var resumed = await _server.NextStreamAsync(ChildStart);
        // Applying moves every bucket to the checkpoint; otherwise each resumes after its last stored op.
        var a500 = stoppedAt == "SYNCED" ? "1000" : "500";
        Assert.That(resumed.BucketPositions(), Is.EqualTo(new Dictionary<string, string> { ["a"] = a500, ["b"] = "1000" }), "the stored ops are not downloaded again");
        resumed.Send(checkpoint, Complete(1000));
        await Eventually.WithTimeout(db.WaitForFirstSyncAsync(), "the resumed checkpoint");
        var rows = await SyncHarness.RowsAsync(db);
        Assert.That(rows, Is.EquivalentTo(Enumerable.Range(1, 1000).Select(n => ($"r{n}", (string?)$"row {n}"))));
    }

    [Test]
    public async Task Killed_while_saving_a_bulk_download_resolves_deferred_supersessions_after_reopening()
    {
        // Ops 1-200 put r1..r200; ops 201-300 put r1..r100 again, superseding (deferred while the op log fills in bulk mode).
        var ops = Enumerable.Range(1, 300).Select(n => Put(n, $"r{(n - 1) % 200 + 1}", $$"""{"id":"r{{(n - 1) % 200 + 1}}","description":"v{{n}}"}""")).ToArray();
        var checkpoint = Checkpoint(300, null, Bucket("a", Sum(ops), 300));
        await using (var child = ChildProcess.Start("download", _ctx.DatabasePath, _server.Endpoint.ToString(), "250"))
        {
            var stream = await _server.NextStreamAsync(ChildStart);
            stream.Send([checkpoint, .. ops[..250].Chunk(50).Select(chunk => Data("a", chunk))]);
            await child.ReadUntilAsync(line => line == "STORED", "ops 1-250 to be stored");
            stream.Send([.. ops[250..].Chunk(50).Select(chunk => Data("a", chunk))]);
            await child.ReadUntilAsync(line => line == "AT mid-save", "the writer to stop inside the next save");
            child.Kill();
        }

        var db = await _ctx.OpenAsync(SyncHarness.TestSchema);
        Assert.That(await db.GetAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM test"), Is.Zero, "no checkpoint was applied");
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_oplog_pending"), Is.EqualTo(50), "r1..r50 were superseded in bulk mode, resolution pending");
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'ps_oplog_row'"), Is.EqualTo(1), "the row index is back after reopening");

        await db.ConnectAsync(new TestConnector(_server.Endpoint), SyncHarness.Options);
        var resumed = await _server.NextStreamAsync(ChildStart);
        Assert.That(resumed.BucketPositions(), Is.EqualTo(new Dictionary<string, string> { ["a"] = "250" }));
        resumed.Send([checkpoint, .. ops[250..].Chunk(50).Select(chunk => Data("a", chunk)), Complete(300)]);
        await Eventually.WithTimeout(db.WaitForFirstSyncAsync(), "the resumed checkpoint");

        Assert.That(db.CurrentStatus.DownloadError, Is.Null, "checksums matched");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EquivalentTo(Enumerable.Range(1, 200).Select(r => ($"r{r}", (string?)$"v{(r <= 100 ? r + 200 : r)}"))));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_oplog"), Is.EqualTo(200), "one live op per key");
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_buckets b WHERE name = 'a' AND op_checksum = (SELECT sum(hash) FROM ps_oplog) & 0xffffffff"), Is.EqualTo(1));
    }

    [Test]
    public async Task Killed_after_uploading_but_before_CompleteAsync_uploads_again_and_converges()
    {
        await using (var child = ChildProcess.Start("upload", _ctx.DatabasePath, _server.Endpoint.ToString()))
        {
            await _server.NextStreamAsync(ChildStart);
            await child.ReadUntilAsync(line => line == "UPLOADED u1", "the first transaction to reach the backend");
            child.Kill();
        }

        var db = await _ctx.OpenAsync(SyncHarness.TestSchema);
        Assert.That(await db.GetAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_crud"), Is.EqualTo(3), "nothing was completed, so nothing left the queue");

        var connector = new TestConnector(_server.Endpoint);
        _server.WriteCheckpoint = 7;
        await db.ConnectAsync(connector, SyncHarness.Options);
        var stream = await _server.NextStreamAsync(ChildStart);
        await Eventually.UntilAsync(db, "SELECT count(*) FROM ps_crud", n => n == 0, "the queue to upload again");
        var server = new[] { Put(1, "u1", """{"id":"u1","description":"server one"}"""), Put(2, "u2", """{"id":"u2","description":"server two"}"""), Put(3, "u3", """{"id":"u3","description":"server three"}""") };
        stream.Send(Checkpoint(3, "7", Bucket("a", Sum(server), 3)), Data("a", server), Complete(3));
        await Eventually.UntilAsync(db, "SELECT count(*) FROM test WHERE description LIKE 'server %'", n => n == 3, "the server's copies to apply");

        Assert.That(connector.Uploaded.Select(t => string.Join(",", t.Entries.Select(e => e.Id))), Is.EqualTo(new[] { "u1", "u2,u3" }), "at least once, in order, by transaction");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("u1", (string?)"server one"), ("u2", "server two"), ("u3", "server three") }));
    }

    /// <summary>Checks integrity and that rows and queued uploads hold whole transactions 0..n-1; returns n.</summary>
    private static async Task<int> AssertWholeTransactionsQueuedAsync(PowerSyncDatabase db)
    {
        Assert.That(await db.GetAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
        var ids = await db.GetAllAsync<string>("SELECT id FROM test ORDER BY id");
        var queued = await db.GetAllAsync<string>("SELECT data ->> '$.id' FROM ps_crud ORDER BY id");
        var transactions = ids.Count / 2;
        var expected = Enumerable.Range(0, transactions).SelectMany(n => new[] { $"w{n}a", $"w{n}b" }).ToList();
        Assert.That(ids, Is.EquivalentTo(expected), "rows come in whole transactions without gaps");
        Assert.That(queued, Is.EqualTo(expected), "every row's write is queued for upload, in order");
        Assert.That(await db.GetAsync<long>("SELECT count(DISTINCT tx_id) FROM ps_crud"), Is.EqualTo(transactions));
        return transactions;
    }

    /// <summary>The child process, its stdout lines and a kill that waits for the exit.</summary>
    private sealed class ChildProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stderr;

        private ChildProcess(Process process)
        {
            _process = process;
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public List<string> Lines { get; } = [];

        public static ChildProcess Start(params string[] args)
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(ProcessKillTests).Assembly.Location);
            start.ArgumentList.Add("crash-child");
            foreach (var arg in args) start.ArgumentList.Add(arg);
            return new ChildProcess(Process.Start(start)!);
        }

        public async Task<string> ReadUntilAsync(Func<string, bool> match, string what)
        {
            var reading = Task.Run(async () =>
            {
                while (await _process.StandardOutput.ReadLineAsync() is { } line)
                {
                    Lines.Add(line);
                    if (match(line)) return line;
                }

                return null;
            });
            var found = await Eventually.WithTimeout(reading, what);
            if (found is null) Assert.Fail($"The child exited before {what}: {await _stderr}");
            return found!;
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
