using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Tests.Client;

/// <summary>Background WAL checkpoints on a real SQLite file: the writer never checkpoints, the WAL stays bounded.</summary>
[TestFixture]
public sealed class WalCheckpointerTests
{
    private const int PageSize = 4096;
    private ClientTestContext _ctx = null!;
    private SqliteConnection _writer = null!;

    [SetUp]
    public async Task SetUp()
    {
        SQLitePCL.Batteries_V2.Init();
        _ctx = new ClientTestContext();
        _writer = new SqliteConnection(ConnectionString);
        await _writer.OpenAsync();
        await ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t(n INTEGER PRIMARY KEY, pad BLOB)");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _writer.DisposeAsync();
        await _ctx.DisposeAsync();
    }

    private string ConnectionString => $"Data Source={_ctx.DatabasePath};Pooling=False";

    private string WalPath => _ctx.DatabasePath + "-wal";

    [Test]
    public async Task Pages_the_writer_commits_reach_the_database_file_through_background_checkpoints_only()
    {
        await using var checkpointer = await WalCheckpointer.StartAsync(_writer, ConnectionString, NullLogger.Instance, CancellationToken.None, pagesPerCheckpoint: 50, restartFrames: 1_000_000);
        Assert.That(await ScalarAsync("PRAGMA wal_autocheckpoint"), Is.Zero, "the writer's own checkpoint is off");
        var before = new FileInfo(_ctx.DatabasePath).Length;

        var written = 0;
        while (!await WriteAsync(checkpointer, rows: 20))
        {
            written += 20;
            Assert.That(written, Is.LessThan(100), "about 20 pages per transaction ask for a checkpoint after 50");
        }

        written += 20;
        await Eventually.WithTimeout(checkpointer.WaitForRunsAsync(1, CancellationToken.None), "the background checkpoint");

        Assert.That(checkpointer.CheckpointedFrames, Is.GreaterThanOrEqualTo(written), "every committed frame was copied");
        Assert.That(checkpointer.LastError, Is.Null);
        Assert.That(new FileInfo(_ctx.DatabasePath).Length, Is.GreaterThanOrEqualTo(before + written * PageSize), "the rows' pages are in the database file");
    }

    [Test]
    public async Task Writing_far_past_the_restart_size_keeps_the_wal_file_near_that_size_and_loses_nothing()
    {
        const int RestartFrames = 100;
        await using var checkpointer = await WalCheckpointer.StartAsync(_writer, ConnectionString, NullLogger.Instance, CancellationToken.None, pagesPerCheckpoint: 10, restartFrames: RestartFrames);
        // As in a download: the writer begins each transaction before the checkpoint that the previous one
        // asked for has run, so no transaction begins with every frame copied, and SQLite alone never
        // starts the WAL over; the writer's catch-up before a transaction (BeforeTransaction) does.
        var runs = 0L;
        var asked = false;
        for (var i = 0; i < 40; i++)
        {
            checkpointer.BeforeTransaction();
            await using var tx = (SqliteTransaction)await _writer.BeginTransactionAsync();
            await ExecAsync("SELECT count(*) FROM t", tx);
            if (asked)
            {
                await Eventually.WithTimeout(checkpointer.WaitForRunsAsync(++runs, CancellationToken.None), "the background checkpoint");
            }

            for (var r = 0; r < 20; r++) await ExecAsync("INSERT INTO t(pad) VALUES(zeroblob(3900))", tx);
            await tx.CommitAsync();
            asked = checkpointer.AfterTransaction();
        }

        var walFrames = new FileInfo(WalPath).Length / (PageSize + 24);
        Assert.That(walFrames, Is.LessThan(3 * RestartFrames), $"800 pages were written; the WAL holds {walFrames} frames");
        Assert.That(await ScalarAsync("SELECT count(*) FROM t"), Is.EqualTo(800));
        Assert.That(await ScalarAsync("PRAGMA integrity_check"), Is.EqualTo("ok"));
        Assert.That(checkpointer.LastError, Is.Null);
    }

    [Test]
    public async Task Deferring_transactions_leave_their_pages_to_the_checkpoint_the_next_other_transaction_asks_for()
    {
        await using var checkpointer = await WalCheckpointer.StartAsync(_writer, ConnectionString, NullLogger.Instance, CancellationToken.None, pagesPerCheckpoint: 50, restartFrames: 1_000_000);
        var before = new FileInfo(_ctx.DatabasePath).Length;

        for (var i = 0; i < 10; i++)
            Assert.That(await WriteAsync(checkpointer, rows: 20, defer: true), Is.False, $"deferring transaction {i} asked for a checkpoint");
        Assert.That(checkpointer.Runs, Is.Zero);
        Assert.That(new FileInfo(_ctx.DatabasePath).Length, Is.EqualTo(before), "200 pages were written to the WAL only");

        Assert.That(await WriteAsync(checkpointer, rows: 1), Is.True, "a transaction that does not defer asks for the pages pending");
        await Eventually.WithTimeout(checkpointer.WaitForRunsAsync(1, CancellationToken.None), "the background checkpoint");
        Assert.That(checkpointer.CheckpointedFrames, Is.GreaterThanOrEqualTo(201), "every deferred frame was copied");
        Assert.That(new FileInfo(_ctx.DatabasePath).Length, Is.GreaterThanOrEqualTo(before + 201 * PageSize));
        Assert.That(checkpointer.LastError, Is.Null);
    }

    [Test]
    public async Task A_deferring_transaction_asks_for_a_checkpoint_once_the_deferred_maximum_is_pending()
    {
        await using var checkpointer = await WalCheckpointer.StartAsync(_writer, ConnectionString, NullLogger.Instance, CancellationToken.None, pagesPerCheckpoint: 10, restartFrames: 1_000_000, maxDeferredPages: 100);

        var written = 0;
        while (!await WriteAsync(checkpointer, rows: 20, defer: true))
        {
            written += 20;
            Assert.That(written, Is.LessThan(100), "about 20 pages per transaction reach the 100 deferred pages within five");
        }

        Assert.That(written, Is.GreaterThanOrEqualTo(60), "not asked before the deferred maximum");
        await Eventually.WithTimeout(checkpointer.WaitForRunsAsync(1, CancellationToken.None), "the background checkpoint");
        Assert.That(checkpointer.CheckpointedFrames, Is.GreaterThanOrEqualTo(written + 20));
    }

    [Test]
    public async Task A_database_not_in_wal_mode_is_refused_with_its_journal_mode_named()
    {
        await using var other = new SqliteConnection($"Data Source={Path.Combine(_ctx.Folder, "rollback.db")};Pooling=False");
        await other.OpenAsync();
        await using (var command = other.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=DELETE; CREATE TABLE x(a)";
            await command.ExecuteNonQueryAsync();
        }

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => WalCheckpointer.StartAsync(other, other.ConnectionString, NullLogger.Instance, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("'delete'").And.Contain("WAL"));
    }

    /// <summary>One transaction of one-page rows, counted by the checkpointer; true when it asked for a checkpoint.</summary>
    private async Task<bool> WriteAsync(WalCheckpointer checkpointer, int rows, bool defer = false)
    {
        await using (var tx = (SqliteTransaction)await _writer.BeginTransactionAsync())
        {
            await using var insert = _writer.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO t(pad) VALUES(zeroblob(3900))";
            for (var i = 0; i < rows; i++) await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        return checkpointer.AfterTransaction(defer);
    }

    private async Task ExecAsync(string sql, SqliteTransaction? tx = null)
    {
        await using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _writer.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
