using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PowerSync.Core.Storage;

/// <summary>
/// In-process fan-out of new checkpoints: one latest value and one completion that every watcher
/// awaits. Publishing swaps both and wakes all watchers at once; nobody polls. The latest checkpoint keeps the
/// trace context of the commit that made it, so the sessions sending it can link to that commit.
/// </summary>
internal sealed class CheckpointBroadcast : ICheckpointWatcher
{
    private sealed record State(Checkpoint? Latest, TaskCompletionSource Next, ActivityContext Trace = default);

    private State _state;

    public CheckpointBroadcast(Checkpoint? initial) =>
        _state = new State(initial, NewSignal());

    public Checkpoint? Latest => Volatile.Read(ref _state).Latest;

    /// <summary>Makes <paramref name="checkpoint"/> the latest (unless a newer one is) and wakes every watcher.</summary>
    /// <param name="checkpoint">The new checkpoint.</param>
    /// <param name="trace">The trace context of the commit that made it (default when it was not traced).</param>
    public void Publish(Checkpoint checkpoint, ActivityContext trace = default)
    {
        State previous, next;
        do
        {
            previous = Volatile.Read(ref _state);
            if (previous.Latest is { } latest && latest.RulesVersion == checkpoint.RulesVersion && latest.OpId >= checkpoint.OpId && latest.Lsn >= checkpoint.Lsn)
                return;
            next = new State(checkpoint, NewSignal(), trace);
        }
        while (Interlocked.CompareExchange(ref _state, next, previous) != previous);
        previous.Next.TrySetResult();
    }

    /// <summary>The store was reset: no checkpoint until the next one is published.</summary>
    public void Reset() => Interlocked.Exchange(ref _state, new State(null, NewSignal())).Next.TrySetResult();

    public ActivityContext TraceOf(Checkpoint checkpoint) =>
        Volatile.Read(ref _state) is { Latest: { } latest } state && latest == checkpoint ? state.Trace : default;

    public async IAsyncEnumerable<Checkpoint> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Checkpoint? sent = null;
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state.Latest is { } latest && latest != sent)
            {
                sent = latest;
                yield return latest;
                continue;
            }
            await state.Next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
