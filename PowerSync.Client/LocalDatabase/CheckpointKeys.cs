namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// The write gate and the checkpoint-request counter in <c>ps_kv</c>, with the official core's key
/// names (sqlite-core <c>docs/write-checkpoint-requests.md</c>). Write checkpoints from
/// <c>write-checkpoint2.json</c> (legacy mode) and checkpoint request ids (requests mode) share these
/// keys: the service keeps both in one increasing sequence per user and client.
/// </summary>
internal static class CheckpointKeys
{
    /// <summary>
    /// The gate: a downloaded checkpoint is applied only once the stream has shown a
    /// <c>write_checkpoint</c> at least this large. <see cref="InternalTables.MaxOpId"/> means local
    /// writes exist whose checkpoint is not known yet; absent means nothing to wait for.
    /// </summary>
    public const string Target = "target_checkpoint_request_id";

    /// <summary>The last checkpoint request id this client allocated (requests mode); seeded from the service on each connection.</summary>
    public const string LastRequested = "last_requested_checkpoint_request_id";

    /// <summary>The <c>write_checkpoint</c> of the last validated full checkpoint since the last local write.</summary>
    public const string LastSeen = "last_seen_checkpoint_request_id";

    /// <summary>The <c>write_checkpoint</c> of the last applied full checkpoint since the last local write.</summary>
    public const string LastApplied = "last_applied_checkpoint_request_id";

    /// <summary>
    /// Run by each local write (from the view triggers): the gate waits for a checkpoint not known yet,
    /// and write checkpoints seen before this write no longer count. Writes nothing when already set.
    /// </summary>
    public static string SetGateSql(string where) =>
        $"INSERT INTO ps_kv(key, value) SELECT '{Target}', 9223372036854775807 WHERE 1{where} ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value;\n"
        // Two single-key deletes: a key IN (...) list costs several times more per write.
        + $"DELETE FROM ps_kv WHERE key = '{LastSeen}'{where};\n"
        + $"DELETE FROM ps_kv WHERE key = '{LastApplied}'{where};\n";

    /// <summary>True when the gate holds back downloaded checkpoints (ignoring the upload queue).</summary>
    public const string GateClosedSql =
        $"SELECT 1 FROM ps_kv t LEFT JOIN ps_kv s ON s.key = '{LastSeen}' WHERE t.key = '{Target}' AND CAST(t.value AS INTEGER) > coalesce(CAST(s.value AS INTEGER), 0)";

    /// <summary>
    /// Moves the gate of a database written before it lived in <c>ps_kv</c> (the <c>$local</c> row of
    /// <c>ps_buckets</c>, official schema up to v13) and deletes that row; a no-op afterwards.
    /// </summary>
    public const string MigrateLocalBucketSql = $"""

        INSERT OR REPLACE INTO ps_kv(key, value) SELECT '{LastApplied}', last_applied_op FROM ps_buckets WHERE name = '$local' AND last_applied_op > 0;
        INSERT OR REPLACE INTO ps_kv(key, value) SELECT '{LastSeen}', last_op FROM ps_buckets WHERE name = '$local' AND last_op > 0;
        INSERT OR REPLACE INTO ps_kv(key, value) SELECT '{Target}', target_op FROM ps_buckets WHERE name = '$local' AND target_op > 0;
        DELETE FROM ps_buckets WHERE name = '$local';
        """;
}
