using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// Online compaction of the active version up to its latest checkpoint. Per bucket: a newest-first
/// scan turns every PUT/REMOVE whose row appears again later into a MOVE (target_op = the later op);
/// then a leading run of more than one non-PUT op becomes a single CLEAR whose checksum is their sum.
/// Memory is bounded by <see cref="CompactionOptions.MaxTrackedRows"/> and the batch size; rewrites
/// happen in short transactions so replication and sessions carry on.
/// </summary>
internal sealed class SqliteCompactor(SqliteBucketStorage storage) : IBucketCompactor
{
    public Task<CompactionResult> CompactAsync(CompactionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (storage.Broadcast.Latest is not { } checkpoint) return Task.FromResult(new CompactionResult(0, 0, 0, 0));
        return Compaction.RunAsync(BucketsToCompact(checkpoint.RulesVersion, options.Buckets),
            bucket => MoveSuperseded(bucket.Id, checkpoint.OpId, options),
            bucket => ClearPrefix(bucket.Id, checkpoint.OpId),
            storage.Checksums, cancellationToken);
    }

    private List<(long Id, string Name)> BucketsToCompact(long version, IReadOnlyCollection<string>? only)
    {
        using var connection = storage.OpenReadConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = only is null
            ? "SELECT id, name FROM buckets WHERE rules_id = $r ORDER BY id"
            : "SELECT id, name FROM buckets WHERE rules_id = $r AND name IN (SELECT value FROM json_each($names)) ORDER BY id";
        cmd.Parameters.AddWithValue("$r", version);
        if (only is not null) cmd.Parameters.AddWithValue("$names", System.Text.Json.JsonSerializer.Serialize(only));
        var list = new List<(long, string)>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add((reader.GetInt64(0), reader.GetString(1)));
        return list;
    }

    private (long Scanned, long Moved) MoveSuperseded(long bucketId, OpId checkpoint, CompactionOptions options)
    {
        using var connection = storage.OpenReadConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT op_id, object_type, object_id, subkey FROM bucket_data
            WHERE bucket_id = $b AND op_id <= $cp AND op IN (1, 2)
            ORDER BY op_id DESC
            """;
        cmd.Parameters.AddWithValue("$b", bucketId);
        cmd.Parameters.AddWithValue("$cp", checkpoint.Value);
        using var reader = cmd.ExecuteReader();
        return Compaction.MoveSuperseded(Rows(reader), options, batch => ApplyMoves(bucketId, batch));
    }

    private static IEnumerable<(long OpId, (string, string, string) Row)> Rows(SqliteDataReader reader)
    {
        while (reader.Read()) yield return (reader.GetInt64(0), (reader.GetString(1), reader.GetString(2), reader.GetString(3)));
    }

    private long ApplyMoves(long bucketId, List<(long OpId, long Target)> batch)
    {
        if (batch.Count == 0) return 0;
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            UPDATE bucket_data SET op = 3, object_type = NULL, object_id = NULL, subkey = NULL, data = NULL, target_op = $t
            WHERE bucket_id = $b AND op_id = $o AND op IN (1, 2)
            """;
        var pb = cmd.Parameters.AddWithValue("$b", bucketId);
        var po = cmd.Parameters.Add("$o", Microsoft.Data.Sqlite.SqliteType.Integer);
        var pt = cmd.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Integer);
        long changed = 0;
        foreach (var (opId, target) in batch)
        {
            po.Value = opId;
            pt.Value = target;
            changed += cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return changed;
    }

    /// <summary>Replaces a leading run of two or more non-PUT ops with one CLEAR; returns the ops removed.</summary>
    private long ClearPrefix(long bucketId, OpId checkpoint)
    {
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        long End()
        {
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT min(op_id) FROM bucket_data WHERE bucket_id = $b AND op_id <= $cp AND op = 1";
            cmd.Parameters.AddWithValue("$b", bucketId);
            cmd.Parameters.AddWithValue("$cp", checkpoint.Value);
            var firstPut = cmd.ExecuteScalar();
            return firstPut is long put ? put : checkpoint.Value + 1;
        }
        var end = End();

        long count, sum, lastOp;
        long? maxTarget;
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT count(*), coalesce(sum(checksum), 0), max(op_id), max(target_op) FROM bucket_data WHERE bucket_id = $b AND op_id < $end";
            cmd.Parameters.AddWithValue("$b", bucketId);
            cmd.Parameters.AddWithValue("$end", end);
            using var reader = cmd.ExecuteReader();
            reader.Read();
            count = reader.GetInt64(0);
            if (count < 2) return 0;
            sum = reader.GetInt64(1);
            lastOp = reader.GetInt64(2);
            maxTarget = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        }
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                DELETE FROM bucket_data WHERE bucket_id = $b AND op_id < $end;
                INSERT INTO bucket_data (bucket_id, op_id, op, checksum, target_op) VALUES ($b, $last, 4, $sum, $target);
                UPDATE buckets SET op_count = op_count - $removed WHERE id = $b;
                """;
            cmd.Parameters.AddWithValue("$b", bucketId);
            cmd.Parameters.AddWithValue("$end", end);
            cmd.Parameters.AddWithValue("$last", lastOp);
            cmd.Parameters.AddWithValue("$sum", sum & 0xFFFFFFFFL);
            cmd.Parameters.AddWithValue("$target", Math.Max(maxTarget ?? lastOp, lastOp));
            cmd.Parameters.AddWithValue("$removed", count - 1);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        // Counts changed: no session may be served a count cached before this commit.
        storage.Checksums.InvalidateAll();
        return count - 1;
    }
}
