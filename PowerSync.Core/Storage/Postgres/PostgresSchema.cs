using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// The store's tables in their schema. Ops are keyed <c>(bucket_id, op_id)</c>, so a bucket page is one ordered
/// range read; parameter lookups are keyed by <c>(rules_id, lookup, …)</c>, so every lookup is an index range scan.
/// Text the sync lines send (object type, id, subkey, data) is kept as UTF-8 <c>bytea</c> and sent on as it is.
/// LSNs are stored as the same 64 bits in a signed <c>bigint</c> (see <see cref="StoredLsn"/>).
/// </summary>
internal static class PostgresSchema
{
    public const int Version = 1;

    private static string CreateSql(string s) => $"""
        CREATE SCHEMA IF NOT EXISTS {s};
        CREATE TABLE IF NOT EXISTS {s}.meta (key text PRIMARY KEY, value bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS {s}.sync_rules (
            id bigserial PRIMARY KEY,
            content text NOT NULL,
            state int NOT NULL,
            slot_name text NOT NULL,
            snapshot_done boolean NOT NULL DEFAULT false,
            no_checkpoint_before bigint NOT NULL DEFAULT 0,
            resume_lsn bigint,
            checkpoint_op bigint,
            checkpoint_lsn bigint,
            last_op bigint NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS {s}.replication_leases (
            rules_id bigint PRIMARY KEY,
            token bigint NOT NULL,
            owner text NOT NULL,
            expires_at timestamptz NOT NULL,
            writer_pid int,
            writer_started timestamptz);
        CREATE TABLE IF NOT EXISTS {s}.snapshot_progress (
            rules_id bigint NOT NULL, table_name text NOT NULL, last_key text, done boolean NOT NULL,
            PRIMARY KEY (rules_id, table_name));
        CREATE TABLE IF NOT EXISTS {s}.buckets (
            id bigserial PRIMARY KEY,
            rules_id bigint NOT NULL,
            name text NOT NULL,
            checksum bigint NOT NULL DEFAULT 0,
            op_count bigint NOT NULL DEFAULT 0,
            last_op bigint NOT NULL DEFAULT 0,
            UNIQUE (rules_id, name));
        CREATE TABLE IF NOT EXISTS {s}.bucket_data (
            bucket_id bigint NOT NULL,
            op_id bigint NOT NULL,
            op smallint NOT NULL,
            object_type bytea, object_id bytea, subkey bytea, data bytea,
            checksum bigint NOT NULL,
            target_op bigint,
            PRIMARY KEY (bucket_id, op_id));
        CREATE TABLE IF NOT EXISTS {s}.current_data (
            rules_id bigint NOT NULL, source_table text NOT NULL, source_key bytea NOT NULL,
            memberships bytea NOT NULL, raw bytea,
            PRIMARY KEY (rules_id, source_table, source_key));
        CREATE TABLE IF NOT EXISTS {s}.parameter_data (
            rules_id bigint NOT NULL, lookup text NOT NULL, source_table text NOT NULL, source_key bytea NOT NULL,
            op_id bigint NOT NULL, parameters text,
            PRIMARY KEY (rules_id, lookup, source_table, source_key, op_id));
        CREATE TABLE IF NOT EXISTS {s}.source_relations (
            rules_id bigint NOT NULL, relation_id bigint NOT NULL, table_name text NOT NULL,
            PRIMARY KEY (rules_id, relation_id));
        CREATE TABLE IF NOT EXISTS {s}.write_checkpoints (
            key text NOT NULL, id bigint NOT NULL, lsn bigint NOT NULL,
            PRIMARY KEY (key, id));
        CREATE TABLE IF NOT EXISTS {s}.write_checkpoint_ids (
            user_id text NOT NULL, client_id text NOT NULL, id bigint NOT NULL, lsn bigint NOT NULL,
            PRIMARY KEY (user_id, client_id, id));
        INSERT INTO {s}.meta (key, value) VALUES ('schema_version', {Version}), ('next_op_id', 1) ON CONFLICT (key) DO NOTHING;
        """;

    /// <summary>
    /// Creates the tables of a new store or checks an existing store's schema version. Instances starting together
    /// take turns (a transaction-scoped advisory lock), since concurrent <c>CREATE … IF NOT EXISTS</c> can collide.
    /// </summary>
    public static async Task InitializeAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('powersync schema ' || @s))", connection, tx))
        {
            cmd.Parameters.AddWithValue("s", schema);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        using (var cmd = new NpgsqlCommand(CreateSql(schema), connection, tx))
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        long version;
        using (var cmd = new NpgsqlCommand($"SELECT value FROM {schema}.meta WHERE key = 'schema_version'", connection, tx))
            version = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (version != Version)
        {
            throw new PowerSyncException(StorageErrorCodes.UnknownSchemaVersion,
                $"The bucket store in schema '{schema}' of database '{connection.Database}' has schema version {version}, but this version of " +
                $"PowerSync.Core reads version {Version}. Use the PowerSync.Core version that wrote it, or drop the schema to re-replicate from Postgres.");
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The notification channel of the store in <paramref name="schema"/>: new checkpoints, compactions, resets, write checkpoints.</summary>
    public static string Channel(string schema) => "powersync_" + schema;
}
