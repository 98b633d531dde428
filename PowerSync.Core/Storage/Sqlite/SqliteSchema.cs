using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Creates and checks the store's tables; opens connections with the store's settings.</summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    private static readonly object InitLock = new();
    private static bool _providerReady;

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sync_rules (
            id INTEGER PRIMARY KEY,
            content TEXT NOT NULL,
            state INTEGER NOT NULL,
            slot_name TEXT NOT NULL,
            snapshot_done INTEGER NOT NULL DEFAULT 0,
            no_checkpoint_before INTEGER NOT NULL DEFAULT 0,
            resume_lsn INTEGER,
            checkpoint_op INTEGER,
            checkpoint_lsn INTEGER,
            last_op INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS snapshot_progress (
            rules_id INTEGER NOT NULL, table_name TEXT NOT NULL, last_key TEXT, done INTEGER NOT NULL,
            PRIMARY KEY (rules_id, table_name)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS buckets (
            id INTEGER PRIMARY KEY,
            rules_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            checksum INTEGER NOT NULL DEFAULT 0,
            op_count INTEGER NOT NULL DEFAULT 0,
            last_op INTEGER NOT NULL DEFAULT 0,
            UNIQUE (rules_id, name));
        CREATE TABLE IF NOT EXISTS bucket_data (
            bucket_id INTEGER NOT NULL,
            op_id INTEGER NOT NULL,
            op INTEGER NOT NULL,
            object_type TEXT, object_id TEXT, subkey TEXT, data TEXT,
            checksum INTEGER NOT NULL,
            target_op INTEGER,
            PRIMARY KEY (bucket_id, op_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS current_data (
            rules_id INTEGER NOT NULL, source_table TEXT NOT NULL, source_key BLOB NOT NULL,
            memberships BLOB NOT NULL, raw BLOB,
            PRIMARY KEY (rules_id, source_table, source_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS parameter_data (
            rules_id INTEGER NOT NULL, lookup TEXT NOT NULL, source_table TEXT NOT NULL, source_key BLOB NOT NULL,
            op_id INTEGER NOT NULL, parameters TEXT,
            PRIMARY KEY (rules_id, lookup, source_table, source_key, op_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS source_relations (
            rules_id INTEGER NOT NULL, relation_id INTEGER NOT NULL, table_name TEXT NOT NULL,
            PRIMARY KEY (rules_id, relation_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS write_checkpoints (
            key TEXT NOT NULL, id INTEGER NOT NULL, lsn INTEGER NOT NULL,
            PRIMARY KEY (key, id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS write_checkpoint_ids (
            user_id TEXT NOT NULL, client_id TEXT NOT NULL, id INTEGER NOT NULL, lsn INTEGER NOT NULL,
            PRIMARY KEY (user_id, client_id, id)) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', 1), ('next_op_id', 1);
        """;

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 60,
    }.ToString();

    /// <summary>Opens a connection with WAL, a busy timeout and the chosen durability.</summary>
    public static SqliteConnection Open(string path, bool fullSync)
    {
        EnsureProvider();
        var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = 60000; PRAGMA synchronous = {(fullSync ? "FULL" : "NORMAL")}; PRAGMA foreign_keys = OFF;");
        return connection;
    }

    /// <summary>
    /// The replication writer's connection: as <see cref="Open"/>, with a page cache large enough for
    /// its working set. Its commits never fsync (WAL with <c>synchronous=NORMAL</c> stays consistent
    /// through a crash); with full sync on, <see cref="CommitFlusher"/> flushes them before they count.
    /// </summary>
    public static SqliteConnection OpenWriter(string path)
    {
        var connection = Open(path, fullSync: false);
        Execute(connection, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 32768; PRAGMA journal_size_limit = 67108864;");
        return connection;
    }

    /// <summary>Creates the tables of a new store or checks an existing store's schema version.</summary>
    public static void Initialize(SqliteConnection connection)
    {
        // Page size only applies to a new file (before its first table); WAL then keeps it.
        Execute(connection, "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL;");
        Execute(connection, CreateSql);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        var version = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version != Version)
        {
            throw new PowerSyncException(StorageErrorCodes.UnknownSchemaVersion,
                $"The bucket store at '{connection.DataSource}' has schema version {version}, but this version of PowerSync.Core " +
                $"reads version {Version}. Use the PowerSync.Core version that wrote it, or delete the file to re-replicate from Postgres.");
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static void EnsureProvider()
    {
        if (Volatile.Read(ref _providerReady)) return;
        lock (InitLock)
        {
            if (_providerReady) return;
            SQLitePCL.Batteries_V2.Init();
            Volatile.Write(ref _providerReady, true);
        }
    }
}
