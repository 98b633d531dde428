namespace PowerSync.Core.Hosting.RSocket;

/// <summary>
/// A stream's request-n credit: how many more payloads the client has asked for. The sender takes one before each
/// payload and waits while there is none; REQUEST_N frames add to it. 2^31-1 or more outstanding means unbounded,
/// as RSocket defines it.
/// </summary>
internal sealed class RequestCredit(int initial)
{
    private const long Unbounded = int.MaxValue;

    private readonly object _gate = new();
    private long _credit = Math.Min(initial, Unbounded);
    private TaskCompletionSource? _waiting;

    /// <summary>Payloads the client may still receive without asking for more (for tests and diagnostics).</summary>
    public long Available
    {
        get
        {
            lock (_gate) return _credit;
        }
    }

    public void Add(int n)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _credit = Math.Min(_credit + n, Unbounded);
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
    }

    /// <summary>Takes one payload's credit, waiting until the client grants one.</summary>
    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_credit > 0)
                {
                    if (_credit < Unbounded) _credit--;
                    return;
                }
                _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiting.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
