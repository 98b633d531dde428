namespace PowerSync.Core.Replication;

/// <summary>
/// How Postgres values become SQLite values, as selected by the sync rules' compatibility options
/// (<c>timestamps_iso8601</c>, <c>custom_postgres_types</c>, <c>timestamp_max_precision</c>).
/// Immutable and validated on construction.
/// </summary>
internal sealed record ValueMappingOptions
{
    /// <summary>The legacy behaviour (sync rules without an edition): space-separated timestamps, raw text for user-defined types.</summary>
    public static readonly ValueMappingOptions Legacy = new();

    /// <summary>Edition 2 (sync streams): ISO 8601 timestamps and JSON for user-defined types.</summary>
    public static readonly ValueMappingOptions SyncStreams = new(timestampsIso8601: true, customPostgresTypes: true);

    /// <summary>Creates options.</summary>
    /// <param name="timestampsIso8601">Render date/time values as ISO 8601 with a fixed number of fraction digits.</param>
    /// <param name="customPostgresTypes">Map domains to their base type and composite, range and array-of-custom types to JSON.</param>
    /// <param name="timestampMaxPrecision">Fraction digits kept when <paramref name="timestampsIso8601"/> is on:
    /// 0 (seconds), 3 (milliseconds), 6 (microseconds) or 9 (nanoseconds); null for Postgres' own 6.</param>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not 0, 3, 6 or 9.</exception>
    public ValueMappingOptions(bool timestampsIso8601 = false, bool customPostgresTypes = false, int? timestampMaxPrecision = null)
    {
        if (timestampMaxPrecision is { } digits && digits is not (0 or 3 or 6 or 9))
        {
            throw new ArgumentOutOfRangeException(
                nameof(timestampMaxPrecision), digits,
                "timestamp_max_precision must be seconds (0), milliseconds (3), microseconds (6) or nanoseconds (9).");
        }

        TimestampsIso8601 = timestampsIso8601;
        CustomPostgresTypes = customPostgresTypes;
        TimestampMaxPrecision = timestampMaxPrecision;
    }

    /// <summary>ISO 8601 date/time rendering (<c>2023-03-06T15:47:12.400000</c>) instead of the legacy form.</summary>
    public bool TimestampsIso8601 { get; }

    /// <summary>JSON for composite, range and custom array types; domains as their base type.</summary>
    public bool CustomPostgresTypes { get; }

    /// <summary>Maximum fraction digits for ISO 8601 date/time values; null keeps Postgres' microseconds.</summary>
    public int? TimestampMaxPrecision { get; }
}
