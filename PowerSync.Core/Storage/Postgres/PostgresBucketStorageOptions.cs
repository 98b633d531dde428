using System.Text.RegularExpressions;
using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// Settings of the Postgres bucket store (see <see cref="BucketStorageOptions"/>). The store lives in
/// <paramref name="Schema"/> of the database <paramref name="DataSource"/> reaches (the source database or another one),
/// shared by every app instance that points at it. Commits are durable when Postgres commits them
/// (<c>synchronous_commit</c>), so there is no full-sync setting: <c>Path</c> is the schema, for messages.
/// </summary>
/// <param name="DataSource">Where the store's tables are. The store does not dispose it unless <see cref="OwnsDataSource"/>.</param>
/// <param name="Schema">The schema holding the store's tables (created when missing).</param>
/// <param name="FlushOps">Buffered ops written per storage flush while a source transaction streams.</param>
/// <param name="FlushBytes">Buffered data bytes that also trigger a flush (bounds memory for large rows).</param>
/// <param name="ChecksumCacheEntries">Bucket checksums kept in memory between requests.</param>
internal sealed partial record PostgresBucketStorageOptions(
    NpgsqlDataSource DataSource,
    string Schema = PostgresBucketStorageOptions.DefaultSchema,
    int FlushOps = 5_000,
    int FlushBytes = 8 * 1024 * 1024,
    int ChecksumCacheEntries = 100_000) : BucketStorageOptions(Schema, FullSync: false, FlushOps, FlushBytes, ChecksumCacheEntries)
{
    public const string DefaultSchema = "powersync";

    /// <summary>Dispose <see cref="DataSource"/> with the store (it was opened for it).</summary>
    public bool OwnsDataSource { get; init; }

    /// <summary>
    /// How long a replicating instance's claim on a version lasts without renewal: after it, another instance
    /// takes over. Renewed every third of it.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often an instance reads the latest checkpoint itself, in case a notification was lost
    /// (notifications bring them within milliseconds otherwise).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>This instance, as the lease table and log messages name it.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Every problem with the options, together (as <see cref="BucketStorageOptions.Validate"/>, plus the schema name and timings).</summary>
    public void ValidatePostgres()
    {
        Validate();
        var errors = new List<string>();
        if (!SchemaName().IsMatch(Schema))
            errors.Add($"Schema '{Schema}' is not a plain Postgres identifier: use lower-case letters, digits and '_' (at most 50, not starting with a digit).");
        if (LeaseDuration < TimeSpan.FromSeconds(1)) errors.Add($"LeaseDuration must be at least 1 s (was {LeaseDuration.TotalSeconds} s).");
        if (PollInterval < TimeSpan.FromMilliseconds(10)) errors.Add($"PollInterval must be at least 10 ms (was {PollInterval.TotalMilliseconds} ms).");
        if (string.IsNullOrWhiteSpace(InstanceId)) errors.Add("InstanceId must name this instance.");
        if (errors.Count > 0)
            throw new ArgumentException("Invalid Postgres bucket store options: " + string.Join(" ", errors));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex SchemaName();
}
