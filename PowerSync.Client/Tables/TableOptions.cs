namespace PowerSync.Client.Tables;

/// <summary>Behaviour options of a <see cref="Table"/>.</summary>
public sealed record TableOptions
{
    /// <summary>The table is never synced: writes are kept locally and not queued for upload.</summary>
    public bool LocalOnly { get; init; }

    /// <summary>Rows are only queued for upload, never stored locally (no update or delete).</summary>
    public bool InsertOnly { get; init; }

    /// <summary>Name of the view the app queries; defaults to the table name.</summary>
    public string? ViewName { get; init; }

    /// <summary>Adds <c>_metadata</c> (sent with each upload entry) and <c>_deleted</c> columns to the view.</summary>
    public bool TrackMetadata { get; init; }

    /// <summary>Records previous values in upload entries; null records none.</summary>
    public TrackPreviousValues? TrackPreviousValues { get; init; }

    /// <summary>An update that changes no column is not queued for upload.</summary>
    public bool IgnoreEmptyUpdates { get; init; }
}
