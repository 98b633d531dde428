using System.Runtime.CompilerServices;

namespace PowerSync.Core.Storage;

/// <summary>
/// In-process fan-out of new checkpoints: one latest value and one completion that every watcher
/// awaits. Publishing swaps both and wakes all watchers at once; nobody polls.
/// </summary>
internal sealed class CheckpointBroadcast : ICheckpointWatcher
{
    private sealed record State(Checkpoint? Latest, TaskCompletionSource Next);

    private State _state;

    public CheckpointBroadcast(Checkpoint? initial) =>
        _state = new State(initial, NewSignal());

    public Checkpoint? Latest => Volatile.Read(ref _state).Latest;

    public void Publish(Checkpoint checkpoint)
    {
        State previous, next;
        do
        {
            previous = Volatile.Read(ref _state);
            if (previous.Latest is { } latest && latest.RulesVersion == checkpoint.RulesVersion && latest.OpId >= checkpoint.OpId && latest.Lsn >= checkpoint.Lsn)
                return;
            next = new State(checkpoint, NewSignal());
        }
        while (Interlocked.CompareExchange(ref _state, next, previous) != previous);
        previous.Next.TrySetResult();
    }

    /// <summary>The store was reset: no checkpoint until the next one is published.</summary>
    public void Reset() => Interlocked.Exchange(ref _state, new State(null, NewSignal())).Next.TrySetResult();

    public async IAsyncEnumerable<Checkpoint> WatchAsync([EnumeratorCancellation] CancellationToken ct)
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
            await state.Next.Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
