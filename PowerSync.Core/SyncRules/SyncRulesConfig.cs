namespace PowerSync.Core.SyncRules;

/// <summary>Compatibility switches of one rule set (from <c>config:</c>).</summary>
/// <remarks><c>StorageVersion</c> (<c>storage_version</c>) and <c>TimestampMaxPrecision</c> (<c>timestamp_max_precision</c>, fraction digits) are null when not set.</remarks>
internal sealed record SyncRulesConfig(int Edition, bool TimestampsIso8601, bool VersionedBucketIds, bool FixedJsonExtract, bool CustomPostgresTypes)
{
    public int? StorageVersion { get; init; }

    public int? TimestampMaxPrecision { get; init; }

    public static SyncRulesConfig ForEdition(int edition) => new(edition, edition >= 2, edition >= 2, edition >= 2, edition >= 2);
}
