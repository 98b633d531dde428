using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace PowerSync.Core.Storage;

/// <summary>
/// Makes the writer's commits durable off its thread, so the next batch is diffed and written while
/// the disk flushes the previous one. The store commits without syncing, appending to a log file (a
/// crash can lose the last commits but never corrupts the store): SQLite's WAL with
/// <c>synchronous=NORMAL</c>, LiteDB's <c>-log</c> file. This class then fsyncs that file — one fsync
/// covers every commit appended before it — and only afterwards publishes each commit's checkpoint and
/// completes its task, in commit order. So nothing is visible to clients or acknowledged to Postgres
/// before it would survive a power cut.
/// </summary>
internal sealed class CommitFlusher : IAsyncDisposable
{
    /// <summary>A commit waiting for the fsync: what to publish once durable, and who waits for it.</summary>
    internal sealed record Pending(Checkpoint? Result, Action Publish)
    {
        public TaskCompletionSource<Checkpoint?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly string _logPath;
    private readonly Action<Exception> _failed;
    private readonly Action<string>? _faultInjection;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _worker;
    private SafeFileHandle? _log;
    private readonly string _logName;

    /// <param name="logPath">The file every commit appends to (it exists once the first commit is made).</param>
    /// <param name="logName">What that file is, for the error message (e.g. <c>WAL</c>).</param>
    /// <param name="failed">Called (on the worker) when an fsync fails: the commits waiting are lost to durability.</param>
    /// <param name="faultInjection">Test hook, called as <c>durable:before-sync</c> on the worker before each fsync.</param>
    public CommitFlusher(string logPath, string logName, Action<Exception> failed, Action<string>? faultInjection = null)
    {
        _logPath = Path.GetFullPath(logPath);
        _logName = logName;
        _failed = failed;
        _faultInjection = faultInjection;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Queues a commit already made in the store; the task completes after the fsync that covers it and its publication.</summary>
    public Task<Checkpoint?> Enqueue(Checkpoint? result, Action publish)
    {
        var pending = new Pending(result, publish);
        if (!_queue.Writer.TryWrite(pending))
            pending.Done.SetException(new ObjectDisposedException(nameof(CommitFlusher)));
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>();
        Exception? failure = null;
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (_queue.Reader.TryRead(out var pending)) batch.Add(pending);
            if (failure is null)
            {
                try
                {
                    _faultInjection?.Invoke("durable:before-sync");
                    // Every commit in the batch appended its frames before this point: one fsync covers them all.
                    if (_log is null)
                    {
                        _log = File.OpenHandle(_logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                        // The log file is created when the store opens (SQLite's WAL is deleted when it last
                        // closes): its name, and the database file's, must be on disk before any commit counts.
                        DirectorySync.Flush(Path.GetDirectoryName(_logPath)!);
                        _faultInjection?.Invoke("durable:directory-flushed");
                    }
                    RandomAccess.FlushToDisk(_log);
                }
                catch (Exception e)
                {
                    failure = new IOException($"Flushing the bucket store's {_logName} '{_logPath}' to disk failed; commits since the last successful flush may not survive a power cut, so none of them is acknowledged.", e);
                    _failed(failure);
                }
            }
            foreach (var pending in batch)
            {
                if (failure is not null)
                {
                    pending.Done.TrySetException(failure);
                    continue;
                }
                try
                {
                    pending.Publish();
                    pending.Done.TrySetResult(pending.Result);
                }
                catch (Exception e)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Waits for every queued commit to become durable (or fail), then releases the log file's handle.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
        _log?.Dispose();
    }
}
