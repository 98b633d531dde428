namespace PowerSync.Client.Sync;

/// <summary>
/// The seam between the sync engine and the network: streams parsed protocol lines for a request and
/// fetches write checkpoints. <see cref="HttpSyncTransport"/> speaks the service's HTTP protocol.
/// </summary>
internal interface ISyncTransport
{
    /// <summary>Opens the stream; throws <see cref="PowerSyncClientException"/> (<c>Unauthorized</c>, <c>SyncHttpError</c>) when the service refuses.</summary>
    IAsyncEnumerable<SyncLine> StreamAsync(PowerSyncCredentials credentials, StreamingSyncRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /write-checkpoint2.json?client_id=</c>: the write checkpoint covering everything uploaded so far.</summary>
    Task<long> GetWriteCheckpointAsync(PowerSyncCredentials credentials, string clientId, CancellationToken cancellationToken);

    /// <summary>
    /// <c>POST /sync/checkpoint-request</c> with <c>{client_id, checkpoint_request_id}</c>: the id the service
    /// now holds for this client (larger than <paramref name="requestId"/> when the request was stale), or
    /// null when the service does not serve the route (404 or 405: a service before checkpoint requests).
    /// </summary>
    Task<long?> PostCheckpointRequestAsync(PowerSyncCredentials credentials, string clientId, long requestId, CancellationToken cancellationToken);
}
