namespace PowerSync.Client.Crud;

/// <summary>A batch of queued writes (it may split a transaction); call <see cref="CompleteAsync"/> once uploaded.</summary>
public sealed class CrudBatch
{
    private readonly Func<long, string?, CancellationToken, Task> _complete;

    internal CrudBatch(IReadOnlyList<CrudEntry> entries, bool hasMore, Func<long, string?, CancellationToken, Task> complete)
    {
        Entries = entries;
        HasMore = hasMore;
        _complete = complete;
    }

    /// <summary>The writes, in order.</summary>
    public IReadOnlyList<CrudEntry> Entries { get; }

    /// <summary>True when more entries are queued after this batch.</summary>
    public bool HasMore { get; }

    /// <summary>Removes these entries from the queue (see <see cref="CrudTransaction.CompleteAsync"/>).</summary>
    public Task CompleteAsync(string? writeCheckpoint = null, CancellationToken cancellationToken = default) =>
        _complete(Entries[^1].ClientId, writeCheckpoint, cancellationToken);
}
