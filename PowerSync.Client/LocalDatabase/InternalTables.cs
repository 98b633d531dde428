namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// The internal tables, laid out like the official core's (schema v12 line): <c>ps_buckets</c>,
/// <c>ps_oplog</c>, <c>ps_crud</c>, <c>ps_tx</c>, <c>ps_kv</c>, <c>ps_untyped</c>, <c>ps_updated_rows</c>,
/// <c>ps_sync_state</c>, <c>ps_stream_subscriptions</c> (timestamps in Unix seconds, as before the core's v13). The write gate lives in <c>ps_kv</c> as in the core's schema v14 (see
/// <see cref="CheckpointKeys"/>); an older <c>$local</c> gate row is moved there when the database
/// opens. Deviations that serve bulk downloads: <c>ps_oplog.key</c> holds only the subkey ("null" when
/// absent), the type and id being in their own columns; the (bucket, key) index is gone (a key's ops
/// are found through <c>ps_oplog_row</c>); both op log indexes are dropped while a download fills an
/// empty op log and rebuilt before they are needed; and <c>ps_oplog_pending</c> holds the ops saved
/// meanwhile that may supersede an earlier op of their key (see OplogWriter).
/// </summary>
internal static class InternalTables
{
    public const long MaxOpId = long.MaxValue;
    public const int FullSyncPriority = int.MaxValue;

    /// <summary>The <c>ps_kv</c> key marking the op log's keys as subkeys (see <see cref="MigrateOplogKeysSql"/>); kept by a clear.</summary>
    public const string OplogKeyFormat = "oplog_key_format";

    /// <summary>The op log's indexes (dropped while a download fills an empty op log).</summary>
    public const string OplogIndexesSql = "CREATE INDEX IF NOT EXISTS ps_oplog_row ON ps_oplog(row_type, row_id); CREATE INDEX IF NOT EXISTS ps_oplog_opid ON ps_oplog(bucket, op_id);";

    public const string CreateSql = """
        CREATE TABLE IF NOT EXISTS ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT);
        CREATE TABLE IF NOT EXISTS ps_buckets(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          last_applied_op INTEGER NOT NULL DEFAULT 0,
          last_op INTEGER NOT NULL DEFAULT 0,
          target_op INTEGER NOT NULL DEFAULT 0,
          add_checksum INTEGER NOT NULL DEFAULT 0,
          op_checksum INTEGER NOT NULL DEFAULT 0,
          pending_delete INTEGER NOT NULL DEFAULT 0,
          count_at_last INTEGER NOT NULL DEFAULT 0,
          count_since_last INTEGER NOT NULL DEFAULT 0,
          downloaded_size INTEGER NOT NULL DEFAULT 0) STRICT;
        CREATE UNIQUE INDEX IF NOT EXISTS ps_buckets_name ON ps_buckets(name);
        CREATE TABLE IF NOT EXISTS ps_oplog(
          bucket INTEGER NOT NULL,
          op_id INTEGER NOT NULL,
          row_type TEXT,
          row_id TEXT,
          key TEXT,
          data TEXT,
          hash INTEGER NOT NULL) STRICT;
        """ + OplogIndexesSql + """
        DROP INDEX IF EXISTS ps_oplog_key;
        CREATE TABLE IF NOT EXISTS ps_oplog_pending(bucket INTEGER NOT NULL, op_id INTEGER NOT NULL, row_type TEXT, row_id TEXT, key TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS ps_updated_rows(row_type TEXT, row_id TEXT, PRIMARY KEY(row_type, row_id)) STRICT, WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS ps_untyped(type TEXT NOT NULL, id TEXT NOT NULL, data TEXT, PRIMARY KEY (type, id));
        CREATE TABLE IF NOT EXISTS ps_crud(id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER);
        CREATE TABLE IF NOT EXISTS ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER);
        INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES(1, NULL, 1);
        CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB);
        INSERT OR IGNORE INTO ps_kv(key, value) VALUES('client_id', uuid());
        CREATE TABLE IF NOT EXISTS ps_sync_state(priority INTEGER NOT NULL PRIMARY KEY, last_synced_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ps_stream_subscriptions(
          id INTEGER NOT NULL PRIMARY KEY,
          stream_name TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT FALSE,
          is_default INTEGER NOT NULL DEFAULT FALSE,
          local_priority INTEGER,
          local_params TEXT NOT NULL DEFAULT 'null',
          ttl INTEGER,
          expires_at INTEGER,
          last_synced_at INTEGER,
          UNIQUE (stream_name, local_params)) STRICT;
        INSERT OR IGNORE INTO ps_migration(id, down_migrations) VALUES(12, '[]');
        """ + CheckpointKeys.MigrateLocalBucketSql;

    /// <summary>
    /// Rewrites the op log's keys of a database written before <c>key</c> held only the subkey (it held
    /// <c>type/id/subkey</c>, as the official core's does) and marks it done; run only while the mark is absent.
    /// </summary>
    public const string MigrateOplogKeysSql = $"""
        UPDATE ps_oplog SET key = substr(key, length(row_type) + length(row_id) + 3)
          WHERE substr(key, 1, length(row_type) + length(row_id) + 2) = row_type || '/' || row_id || '/';
        UPDATE ps_oplog_pending SET key = substr(key, length(row_type) + length(row_id) + 3)
          WHERE substr(key, 1, length(row_type) + length(row_id) + 2) = row_type || '/' || row_id || '/';
        INSERT OR IGNORE INTO ps_kv(key, value) VALUES('{OplogKeyFormat}', 'subkey');
        """;
}
