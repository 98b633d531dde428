namespace PowerSync.Core.SyncRules;

/// <summary>Options for <see cref="SyncRulesSet.Parse"/>.</summary>
public sealed record SyncRulesParseOptions
{
    /// <summary>Schema of tables named without one (<c>public</c> for Postgres).</summary>
    public string DefaultSchema { get; init; } = "public";

    /// <summary>
    /// The id of this sync-rules version in storage. When bucket ids are versioned it is prepended as
    /// <c>&lt;id&gt;#</c> (e.g. <c>3#by_user["u1"]</c>), so clients never mix buckets of two versions.
    /// </summary>
    public long? SyncRulesVersion { get; init; }

    /// <summary>
    /// Whether bucket ids carry the version prefix. Null follows the YAML (<c>versioned_bucket_ids</c>,
    /// on from edition 2); true forces it (the official service does so for storage version 2 and later).
    /// Requires <see cref="SyncRulesVersion"/>.
    /// </summary>
    public bool? VersionedBucketIds { get; init; }

    /// <summary>
    /// The file the YAML was read from, as the user named it (e.g. <c>sync-rules.yaml</c>). Errors and
    /// warnings then read <c>sync-rules.yaml:12:8: [code] message</c>; null leaves the file name out.
    /// </summary>
    public string? FileName { get; init; }

    /// <summary>
    /// Opt-in improvement: give the buckets of edition-2 Sync Streams the stream's <c>priority:</c>. The official
    /// evaluator (0.38.1) ignores that key for edition-2 streams and gives priority 3 (a subscription's
    /// <c>override_priority</c> still applies), and so does this evaluator by default, so that clients see the same
    /// priorities from both services. Off by default.
    /// </summary>
    public bool HonourStreamPriority { get; init; }
}
