namespace PowerSync.Client.Crud;

/// <summary>The queued writes of one local transaction; call <see cref="CompleteAsync"/> once uploaded.</summary>
public sealed class CrudTransaction
{
    private readonly Func<long, string?, CancellationToken, Task> _complete;

    internal CrudTransaction(long? transactionId, IReadOnlyList<CrudEntry> entries, Func<long, string?, CancellationToken, Task> complete)
    {
        TransactionId = transactionId;
        Entries = entries;
        _complete = complete;
    }

    /// <summary>The local transaction id (null for entries written without one).</summary>
    public long? TransactionId { get; }

    /// <summary>The writes, in order.</summary>
    public IReadOnlyList<CrudEntry> Entries { get; }

    /// <summary>
    /// Removes these entries from the queue. <paramref name="writeCheckpoint"/> is a custom write
    /// checkpoint the backend returned; it becomes the target only when the queue is then empty.
    /// </summary>
    public Task CompleteAsync(string? writeCheckpoint = null, CancellationToken cancellationToken = default) =>
        _complete(Entries[^1].ClientId, writeCheckpoint, cancellationToken);
}
