namespace PowerSync.Client.Status;

/// <summary>Download progress towards the current checkpoint, in operations.</summary>
/// <param name="DownloadedOperations">Operations downloaded since the last applied checkpoint.</param>
/// <param name="TotalOperations">Operations to download for the current checkpoint.</param>
public sealed record SyncProgress(long DownloadedOperations, long TotalOperations)
{
    /// <summary>The same counts per bucket priority (ascending), which <see cref="UntilPriority"/> adds up.</summary>
    internal IReadOnlyList<(int Priority, long Downloaded, long Total)> ByPriority { get; init; } = [];

    /// <summary>Downloaded / total, between 0 and 1 (1 when nothing is to download).</summary>
    public double DownloadedFraction => TotalOperations <= 0 ? 1.0 : Math.Min(1.0, (double)DownloadedOperations / TotalOperations);

    /// <summary>
    /// The progress of the buckets with priority number &lt;= <paramref name="priority"/> (0 is the highest): what
    /// <see cref="PowerSyncDatabase.WaitForFirstSyncAsync"/> with that priority waits for.
    /// </summary>
    public SyncProgress UntilPriority(int priority)
    {
        long downloaded = 0, total = 0;
        var parts = new List<(int, long, long)>();
        foreach (var part in ByPriority)
        {
            if (part.Priority > priority) continue;
            downloaded += part.Downloaded;
            total += part.Total;
            parts.Add(part);
        }

        return new SyncProgress(downloaded, total) { ByPriority = parts };
    }

    /// <summary>Equal counts (the two totals).</summary>
    public bool Equals(SyncProgress? other) =>
        other is not null && DownloadedOperations == other.DownloadedOperations && TotalOperations == other.TotalOperations;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DownloadedOperations, TotalOperations);
}
