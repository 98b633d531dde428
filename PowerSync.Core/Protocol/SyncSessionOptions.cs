namespace PowerSync.Core.Protocol;

/// <summary>Limits and timings of sync sessions.</summary>
/// <param name="MaxBucketsPerConnection">More buckets than this fails the stream with PSYNC_S2305 (official default 1000).</param>
/// <param name="MaxOpsPerPage">Ops per <c>data</c> line (official: 1000).</param>
/// <param name="MaxBytesPerPage">Approximate row data per <c>data</c> line (official: about 1 MiB).</param>
/// <param name="KeepaliveInterval">Keepalive period; each one is jittered by ±10 %.</param>
/// <param name="InterruptAfterOps">After this many ops of one checkpoint, a newer checkpoint that affects the client interrupts the download.</param>
/// <param name="MaxSubscriptionsPerConnection">Distinct stream subscriptions one request may hold (repeats are merged); more is a 400 (PSYNC_N2403).</param>
/// <param name="KeepaliveLines">
/// Whether a <c>token_expires_in</c> line goes out every keepalive period. Over RSocket it does not (RSocket has its own
/// keepalive), as in the official service; the expiry warning and the expiry itself are sent either way.
/// </param>
internal sealed record SyncSessionOptions(
    int MaxBucketsPerConnection = 1000,
    int MaxOpsPerPage = 1000,
    int MaxBytesPerPage = 1024 * 1024,
    TimeSpan? KeepaliveInterval = null,
    int InterruptAfterOps = 1000,
    int MaxSubscriptionsPerConnection = SyncRequest.DefaultMaxSubscriptions,
    bool KeepaliveLines = true)
{
    public TimeSpan Keepalive => KeepaliveInterval ?? TimeSpan.FromSeconds(20);

    /// <summary>The token-expiry warning comes this long before <c>exp</c>.</summary>
    public TimeSpan ExpiryWarning => Keepalive;
}
