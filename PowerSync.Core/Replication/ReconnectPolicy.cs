namespace PowerSync.Core.Replication;

/// <summary>
/// Backoff between reconnect attempts of the replication stream: exponential from <see cref="MinimumDelay"/>
/// to <see cref="MaximumDelay"/>, with full jitter so many instances do not reconnect in step. Immutable.
/// </summary>
internal sealed record ReconnectPolicy
{
    /// <summary>
    /// 1 s doubling to 10 s: a replication connection is one per instance and version, so retrying every few
    /// seconds costs the source nothing, while a longer cap would keep replication down for up to that long
    /// after a Postgres restart or failover (with a 60 s cap, replication resumed up to a minute after Postgres
    /// was back).
    /// </summary>
    public static readonly ReconnectPolicy Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    /// <summary>Creates a policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The minimum is not positive or exceeds the maximum.</exception>
    public ReconnectPolicy(TimeSpan minimumDelay, TimeSpan maximumDelay)
    {
        if (minimumDelay <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(minimumDelay), minimumDelay, "The minimum reconnect delay must be positive.");
        if (maximumDelay < minimumDelay) throw new ArgumentOutOfRangeException(nameof(maximumDelay), maximumDelay, "The maximum reconnect delay must be at least the minimum.");
        MinimumDelay = minimumDelay;
        MaximumDelay = maximumDelay;
    }

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan MinimumDelay { get; }

    /// <summary>Cap of the delay.</summary>
    public TimeSpan MaximumDelay { get; }

    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based): random in [min, min * 2^(attempt-1)], capped.</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(MaximumDelay.Ticks, MinimumDelay.Ticks * Math.Pow(2, exponent));
        var ticks = MinimumDelay.Ticks + (random.NextDouble() * (ceiling - MinimumDelay.Ticks));
        return TimeSpan.FromTicks((long)ticks);
    }
}
