using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// Online compaction of the active version up to its latest checkpoint, as the embedded stores do it (see
/// <see cref="IBucketCompactor"/>): per bucket, a newest-first scan turns every PUT/REMOVE whose row appears again
/// later into a MOVE, then a leading run of more than one non-PUT op becomes one CLEAR. Rewrites run in short
/// transactions; every instance is told, so none serves a cached op count from before.
/// </summary>
internal sealed class PostgresCompactor(PostgresBucketStorage storage) : IBucketCompactor
{
    private readonly string _s = storage.Schema;

    public async Task<CompactionResult> CompactAsync(CompactionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (storage.Broadcast.Latest is not { } checkpoint) return new CompactionResult(0, 0, 0, 0);
        var buckets = await BucketsToCompactAsync(checkpoint.RulesVersion, options.Buckets, cancellationToken).ConfigureAwait(false);
        var result = await Compaction.RunAsync(buckets,
            bucket => MoveSuperseded(bucket, checkpoint.OpId, options),
            bucket => ClearPrefix(bucket, checkpoint.OpId),
            storage.Checksums, cancellationToken).ConfigureAwait(false);
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresStorageAdmin.ExecuteAsync(connection, null, "SELECT pg_notify(@p1, @p2)", cancellationToken,
            PostgresSchema.Channel(_s), PostgresNotification.Compacted(checkpoint.RulesVersion)).ConfigureAwait(false);
        return result;
    }

    private async Task<List<long>> BucketsToCompactAsync(long version, IReadOnlyCollection<string>? only, CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand(only is null
            ? $"SELECT id FROM {_s}.buckets WHERE rules_id = $1 ORDER BY id"
            : $"SELECT id FROM {_s}.buckets WHERE rules_id = $1 AND name = ANY($2) ORDER BY id", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = version });
        if (only is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = only.ToArray() });
        var list = new List<long>();
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(reader.GetInt64(0));
        return list;
    }

    private (long Scanned, long Moved) MoveSuperseded(long bucketId, OpId checkpoint, CompactionOptions options)
    {
        using var connection = storage.DataSource.OpenConnection();
        using var cmd = new NpgsqlCommand($"""
            SELECT op_id, object_type, object_id, subkey FROM {_s}.bucket_data
            WHERE bucket_id = $1 AND op_id <= $2 AND op IN (1, 2)
            ORDER BY op_id DESC
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = bucketId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Value });
        using var reader = cmd.ExecuteReader();
        return Compaction.MoveSuperseded(Rows(reader), options, batch => ApplyMoves(bucketId, batch));
    }

    private static IEnumerable<(long OpId, (string, string, string) Row)> Rows(NpgsqlDataReader reader)
    {
        while (reader.Read()) yield return (reader.GetInt64(0), (Text(reader, 1), Text(reader, 2), Text(reader, 3)));
    }

    private static string Text(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? "" : System.Text.Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(column));

    private long ApplyMoves(long bucketId, List<(long OpId, long Target)> batch)
    {
        if (batch.Count == 0) return 0;
        using var connection = storage.DataSource.OpenConnection();
        using var cmd = new NpgsqlCommand($"""
            UPDATE {_s}.bucket_data d SET op = 3, object_type = NULL, object_id = NULL, subkey = NULL, data = NULL, target_op = u.t
            FROM unnest($2::bigint[], $3::bigint[]) AS u(o, t)
            WHERE d.bucket_id = $1 AND d.op_id = u.o AND d.op IN (1, 2)
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = bucketId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.OpId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Target).ToArray() });
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Replaces a leading run of two or more non-PUT ops with one CLEAR; returns the ops removed.</summary>
    private long ClearPrefix(long bucketId, OpId checkpoint)
    {
        using var connection = storage.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        long end;
        using (var cmd = new NpgsqlCommand($"SELECT min(op_id) FROM {_s}.bucket_data WHERE bucket_id = $1 AND op_id <= $2 AND op = 1", connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = bucketId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Value });
            end = cmd.ExecuteScalar() is long put ? put : checkpoint.Value + 1;
        }
        long count, sum, lastOp;
        long? maxTarget;
        using (var cmd = new NpgsqlCommand($"""
            SELECT count(*), (coalesce(sum(checksum), 0) % 4294967296)::bigint, max(op_id), max(target_op)
            FROM {_s}.bucket_data WHERE bucket_id = $1 AND op_id < $2
            """, connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = bucketId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = end });
            using var reader = cmd.ExecuteReader();
            reader.Read();
            count = reader.GetInt64(0);
            if (count < 2) return 0;
            sum = reader.GetInt64(1);
            lastOp = reader.GetInt64(2);
            maxTarget = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        }
        using (var cmd = new NpgsqlCommand($"""
            DELETE FROM {_s}.bucket_data WHERE bucket_id = @b AND op_id < @end;
            INSERT INTO {_s}.bucket_data (bucket_id, op_id, op, checksum, target_op) VALUES (@b, @last, 4, @sum, @target);
            UPDATE {_s}.buckets SET op_count = op_count - @removed WHERE id = @b;
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("b", bucketId);
            cmd.Parameters.AddWithValue("end", end);
            cmd.Parameters.AddWithValue("last", lastOp);
            cmd.Parameters.AddWithValue("sum", sum);
            cmd.Parameters.AddWithValue("target", Math.Max(maxTarget ?? lastOp, lastOp));
            cmd.Parameters.AddWithValue("removed", count - 1);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        // Counts changed: no session here may be served a count cached before this commit (others hear of it at the end).
        storage.Checksums.InvalidateAll();
        return count - 1;
    }
}
