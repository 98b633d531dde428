namespace PowerSync.Client.Status;

/// <summary>The data of <see cref="PowerSyncDatabase.StatusChanged"/>.</summary>
public sealed class SyncStatusChangedEventArgs(SyncStatus status) : EventArgs
{
    /// <summary>The status after the change.</summary>
    public SyncStatus Status { get; } = status;
}
