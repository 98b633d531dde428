namespace PowerSync.Client;

/// <summary>The app's link to its backend: credentials for the sync service and upload of local writes.</summary>
public interface IPowerSyncBackendConnector
{
    /// <summary>
    /// Returns credentials for the sync service, or null when the user is not signed in. Throwing
    /// means a transient failure: the client retries with backoff.
    /// </summary>
    Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Uploads queued writes (<see cref="PowerSyncDatabase.GetNextCrudTransactionAsync"/> or
    /// <see cref="PowerSyncDatabase.GetCrudBatchAsync"/>) to the backend and completes them. Throwing
    /// means "retry later": the client retries with backoff, without waiting for a new local write.
    /// </summary>
    Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken);
}
