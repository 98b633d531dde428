using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The thread a LiteDB writer does all its storage work on. LiteDB binds a transaction to the thread that
/// began it, and a writer's transaction stays open from its first flush to its commit, across any number
/// of awaits by the replicator; so every step runs here, and the caller waits for it (as it would for a
/// synchronous database call).
/// </summary>
internal sealed class LiteDbWriterThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public LiteDbWriterThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="step"/> on the writer's thread and returns its result (or rethrows its exception).</summary>
    public T Invoke<T>(Func<T> step)
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId) return step();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try
            {
                result = step();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    public void Invoke(Action step) => Invoke(() =>
    {
        step();
        return true;
    });

    private void Run()
    {
        foreach (var step in _work.GetConsumingEnumerable()) step();
    }

    /// <summary>Ends the thread once queued steps have run.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        if (Environment.CurrentManagedThreadId != _thread.ManagedThreadId) _thread.Join();
    }
}
