namespace PowerSync.Client.Watch;

/// <summary>
/// Options of one watch (<see cref="PowerSyncDatabase.WatchAsync{T}(string, IReadOnlyList{object}, WatchOptions, CancellationToken)"/>
/// and <see cref="PowerSyncDatabase.WatchChangesAsync"/>), checked when the watch starts.
/// </summary>
public sealed record WatchOptions
{
    /// <summary>
    /// Minimum time between two results of this watch (trailing edge: changes within it are reported together); null
    /// takes <see cref="PowerSyncDatabaseOptions.WatchThrottle"/>, zero reports every committed write.
    /// </summary>
    public TimeSpan? Throttle { get; init; }

    /// <summary>
    /// The tables whose changes re-run a watched query, by the schema's table or view names (other names are taken as
    /// SQLite table names, e.g. <c>ps_crud</c>); null: the tables the query reads, as SQLite's query plan names them.
    /// </summary>
    public IReadOnlyList<string>? Tables { get; init; }

    internal TimeSpan ThrottleOr(TimeSpan fallback)
    {
        if (Throttle is { } throttle && throttle < TimeSpan.Zero)
            throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, $"WatchOptions.Throttle is {throttle}; use zero or more.");
        return Throttle ?? fallback;
    }
}
