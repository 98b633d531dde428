namespace PowerSync.Client.Status;

/// <summary>Download progress towards the current checkpoint, in operations.</summary>
/// <param name="DownloadedOperations">Operations downloaded since the last applied checkpoint.</param>
/// <param name="TotalOperations">Operations to download for the current checkpoint.</param>
public sealed record SyncProgress(long DownloadedOperations, long TotalOperations)
{
    /// <summary>Downloaded / total, between 0 and 1 (1 when nothing is to download).</summary>
    public double DownloadedFraction => TotalOperations <= 0 ? 1.0 : Math.Min(1.0, (double)DownloadedOperations / TotalOperations);
}
