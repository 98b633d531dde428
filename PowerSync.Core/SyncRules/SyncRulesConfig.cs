namespace PowerSync.Core.SyncRules;

/// <summary>Compatibility switches of one rule set (from <c>config:</c>).</summary>
internal sealed record SyncRulesConfig(int Edition, bool TimestampsIso8601, bool VersionedBucketIds, bool FixedJsonExtract, bool CustomPostgresTypes)
{
    public static SyncRulesConfig ForEdition(int edition) => new(edition, edition >= 2, edition >= 2, edition >= 2, edition >= 2);
}
