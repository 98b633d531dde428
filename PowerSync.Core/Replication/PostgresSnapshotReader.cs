using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Reads the initial snapshot of a table in chunks, with values fetched as text and converted by the
/// same <see cref="PostgresValueMapper"/> as the replication stream, so both paths give equal values.
/// A table with a single-column primary key of type text, varchar, uuid, int2, int4 or int8 is read
/// in key order, one READ COMMITTED transaction per chunk, resumable after the last key of any chunk;
/// other tables are read through a cursor in one transaction.
/// </summary>
internal sealed class PostgresSnapshotReader
{
    /// <summary>Default rows per chunk (as the official service).</summary>
    public const int DefaultChunkSize = 10_000;

    private static readonly ImmutableHashSet<uint> ChunkableKeyTypes =
    [
        PostgresTypeOids.Text, PostgresTypeOids.Varchar, PostgresTypeOids.Uuid,
        PostgresTypeOids.Int2, PostgresTypeOids.Int4, PostgresTypeOids.Int8,
    ];

    // Columns as pgoutput sends them: attnum order, no dropped or generated columns.
    private const string DescribeQuery = """
        SELECT c.oid, c.relreplident::text, a.attname::text, a.atttypid, a.atttypmod,
               c.relreplident = 'f' OR EXISTS (
                   SELECT 1 FROM pg_catalog.pg_index i
                   WHERE i.indrelid = c.oid AND a.attnum = ANY (i.indkey)
                     AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))),
               EXISTS (
                   SELECT 1 FROM pg_catalog.pg_index i
                   WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum),
               format_type(a.atttypid, NULL)
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE n.nspname = $1 AND c.relname = $2
        ORDER BY a.attnum
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresValueMapper _mapper;
    private readonly int _chunkSize;

    public PostgresSnapshotReader(NpgsqlDataSource dataSource, PostgresValueMapper mapper, int chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _dataSource = dataSource;
        _mapper = mapper;
        _chunkSize = chunkSize;
    }

    /// <summary>
    /// The source's current WAL insert position (past every commit, flushed or not). Read after a table's
    /// snapshot, it is the LSN streaming must pass before a checkpoint may include that table (changes
    /// before it may be missing from the snapshot's view).
    /// </summary>
    public async Task<Lsn> CurrentWalLsnAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT pg_current_wal_insert_lsn()::text");
        await using (command.ConfigureAwait(false))
        {
            return Lsn.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }
    }

    /// <summary>Describes a table and loads its column types into the mapper's catalog.</summary>
    /// <exception cref="PowerSyncException">The table does not exist (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public async Task<SnapshotTable> DescribeTableAsync(string schema, string name, CancellationToken cancellationToken)
    {
        var columns = ImmutableArray.CreateBuilder<SourceColumn>();
        uint relationId = 0;
        var identity = ReplicaIdentityKind.Default;
        SourceColumn? chunkKey = null;
        string? chunkKeyType = null;

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(DescribeQuery, connection) { Parameters = { new() { Value = schema }, new() { Value = name } } };
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        relationId = reader.GetFieldValue<uint>(0);
                        identity = reader.GetString(1) switch
                        {
                            "n" => ReplicaIdentityKind.Nothing,
                            "f" => ReplicaIdentityKind.Full,
                            "i" => ReplicaIdentityKind.Index,
                            _ => ReplicaIdentityKind.Default,
                        };
                        var column = new SourceColumn(reader.GetString(2), reader.GetFieldValue<uint>(3), reader.GetInt32(4), reader.GetBoolean(5));
                        columns.Add(column);
                        if (reader.GetBoolean(6) && ChunkableKeyTypes.Contains(column.TypeOid))
                        {
                            chunkKey = column;
                            chunkKeyType = reader.GetString(7);
                        }
                    }
                }
            }
        }

        if (columns.Count == 0)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.SourceQueryFailed,
                $"Table \"{schema}\".\"{name}\" does not exist or has no columns; check the sync rules' table names against the source database.");
        }

        var relation = new SourceRelation(relationId, schema, name, identity, columns.ToImmutable());
        await _mapper.Catalog.EnsureLoadedAsync(relation.Columns.Select(c => c.TypeOid), cancellationToken).ConfigureAwait(false);
        return new SnapshotTable(relation, chunkKey, chunkKeyType);
    }

    /// <summary>
    /// Reads the table in chunks. For key-chunked tables, <paramref name="afterKey"/> resumes after that key
    /// (the <see cref="SnapshotChunk.LastKey"/> of the last persisted chunk); it must be null for other tables.
    /// </summary>
    public IAsyncEnumerable<SnapshotChunk> ReadChunksAsync(SnapshotTable table, string? afterKey, CancellationToken cancellationToken)
    {
        if (!table.IsChunkedByKey && afterKey is not null)
        {
            throw new ArgumentException($"{table.Relation.QualifiedName} has no single-column primary key to resume by; it is read from the start.", nameof(afterKey));
        }
        return table.IsChunkedByKey
            ? ReadByKeyAsync(table, afterKey, cancellationToken)
            : ReadByCursorAsync(table, cancellationToken);
    }

    private async IAsyncEnumerable<SnapshotChunk> ReadByKeyAsync(SnapshotTable table, string? afterKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var key = Quote(table.ChunkKey!.Name);
        var select = $"SELECT {ColumnList(table)} FROM {table.Relation.QualifiedName}";
        var keyIndex = table.Relation.IndexOf(table.ChunkKey.Name);
        while (true)
        {
            var sql = afterKey is null
                ? $"{select} ORDER BY {key} LIMIT {_chunkSize}"
                : $"{select} WHERE {key} > CAST($1::text AS {table.ChunkKeyTypeName}) ORDER BY {key} LIMIT {_chunkSize}";
            List<ReplicatedRow> rows;
            string? lastKey;
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var command = new NpgsqlCommand(sql, connection, transaction) { AllResultTypesAreUnknown = true };
                    await using (command.ConfigureAwait(false))
                    {
                        if (afterKey is not null) command.Parameters.Add(new NpgsqlParameter { Value = afterKey });
                        (rows, lastKey) = await ReadRowsAsync(command, table, keyIndex, cancellationToken).ConfigureAwait(false);
                    }
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (rows.Count == 0) yield break;
            afterKey = lastKey;
            yield return new SnapshotChunk(table, rows, afterKey);
            if (rows.Count < _chunkSize) yield break;
        }
    }

    private async IAsyncEnumerable<SnapshotChunk> ReadByCursorAsync(SnapshotTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var declare = new NpgsqlCommand(
                    $"DECLARE powersync_snapshot NO SCROLL CURSOR FOR SELECT {ColumnList(table)} FROM {table.Relation.QualifiedName}", connection, transaction);
                await using (declare.ConfigureAwait(false))
                {
                    await declare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                while (true)
                {
                    List<ReplicatedRow> rows;
                    var fetch = new NpgsqlCommand($"FETCH {_chunkSize} FROM powersync_snapshot", connection, transaction) { AllResultTypesAreUnknown = true };
                    await using (fetch.ConfigureAwait(false))
                    {
                        (rows, _) = await ReadRowsAsync(fetch, table, keyIndex: -1, cancellationToken).ConfigureAwait(false);
                    }
                    if (rows.Count == 0) break;
                    yield return new SnapshotChunk(table, rows, null);
                    if (rows.Count < _chunkSize) break;
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var settings = new NpgsqlCommand(SourceSessionSettings.SetLocalSql, connection, transaction);
        await using (settings.ConfigureAwait(false))
        {
            await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return transaction;
    }

    /// <summary>Reads text values and maps them by the columns' declared types (a domain keeps its own OID, as in pgoutput).</summary>
    private async Task<(List<ReplicatedRow> Rows, string? LastKey)> ReadRowsAsync(
        NpgsqlCommand command, SnapshotTable table, int keyIndex, CancellationToken cancellationToken)
    {
        var columns = table.Relation.Columns;
        var rows = new List<ReplicatedRow>();
        string? lastKey = null;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var values = ImmutableArray.CreateBuilder<ReplicatedValue>(columns.Length);
                for (var i = 0; i < columns.Length; i++)
                {
                    var text = reader.IsDBNull(i) ? null : reader.GetString(i);
                    if (i == keyIndex) lastKey = text;
                    values.Add(ReplicatedValue.Of(_mapper.Map(text, columns[i].TypeOid)));
                }
                rows.Add(new ReplicatedRow(table.Relation, values.MoveToImmutable()));
            }
        }
        return (rows, lastKey);
    }

    private static string ColumnList(SnapshotTable table) => string.Join(", ", table.Relation.Columns.Select(c => Quote(c.Name)));

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
