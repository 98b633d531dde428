using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using PowerSync.Client.Tables;

namespace PowerSync.Client;

/// <summary>Options of a <see cref="PowerSyncDatabase"/>, validated once when it opens.</summary>
public sealed record PowerSyncDatabaseOptions
{
    /// <summary>Path of the SQLite database file (created when missing).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The app's schema.</summary>
    public required Schema Schema { get; init; }

    /// <summary>Number of read connections (default 4).</summary>
    public int ReadPoolSize { get; init; } = 4;

    /// <summary>Minimum time between re-runs of a watched query (default 30 ms).</summary>
    public TimeSpan WatchThrottle { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Where the sync engine logs (connection fallbacks, retried checkpoint requests); nothing is logged when null.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Where the client's meter (<see cref="PowerSyncClientTelemetry.MeterName"/>) comes from, e.g. the app's
    /// <c>IMeterFactory</c> from dependency injection; when null, one meter shared by every database of the process.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>
    /// Rows a bulk download tracks in memory (about 40 bytes each) before it builds the op log's indexes
    /// and goes on op by op; internal, for tests of that switch.
    /// </summary>
    internal int BulkRowLimit { get; init; } = 2_000_000;

    internal void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DatabasePath)) errors.Add("DatabasePath is empty: set it to the SQLite file to open.");
        if (Schema is null) errors.Add("Schema is null: pass the app's tables.");
        else errors.AddRange(Schema.Validate());
        if (ReadPoolSize is < 1 or > 64) errors.Add($"ReadPoolSize is {ReadPoolSize}: use 1 to 64.");
        if (WatchThrottle < TimeSpan.Zero) errors.Add("WatchThrottle is negative.");
        if (errors.Count > 0)
            throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, "Invalid PowerSyncDatabaseOptions:\n- " + string.Join("\n- ", errors));
    }
}
