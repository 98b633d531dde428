using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Reads for sync sessions, each on a pooled connection in one consistent read transaction.</summary>
internal sealed class SqliteStorageReader(SqliteBucketStorage storage) : IBucketStorageReader
{
    public Task<Checkpoint?> GetCheckpointAsync(CancellationToken cancellationToken) => Task.FromResult(storage.Broadcast.Latest);

    public Task<IReadOnlyList<BucketChecksum>> GetChecksumsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> buckets, CancellationToken cancellationToken) =>
        Task.FromResult(storage.Checksums.GetOrCompute(checkpoint, buckets, misses => Compute(checkpoint, misses)));

    /// <summary>Checksums of buckets at the checkpoint, read in one transaction.</summary>
    private List<BucketChecksum> Compute(Checkpoint checkpoint, List<string> misses)
    {
        using var connection = storage.OpenReadConnection();
        using var tx = connection.BeginTransaction(deferred: true);
        var found = new Dictionary<string, BucketChecksum>(StringComparer.Ordinal);
        var behind = new List<(string Name, long Id, uint Checksum, long Count)>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                SELECT name, id, checksum, op_count, last_op FROM buckets
                WHERE rules_id = $r AND name IN (SELECT value FROM json_each($names))
                """;
            cmd.Parameters.AddWithValue("$r", checkpoint.RulesVersion);
            cmd.Parameters.AddWithValue("$names", System.Text.Json.JsonSerializer.Serialize(misses));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(0);
                var total = (uint)reader.GetInt64(2);
                var count = reader.GetInt64(3);
                if (reader.GetInt64(4) <= checkpoint.OpId.Value) found[name] = new BucketChecksum(name, total, count);
                else behind.Add((name, reader.GetInt64(1), total, count));
            }
        }
        // Totals include ops after the checkpoint (a newer commit): take those back out.
        foreach (var (name, id, total, count) in behind)
        {
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT coalesce(sum(checksum), 0), count(*) FROM bucket_data WHERE bucket_id = $b AND op_id > $cp";
            cmd.Parameters.AddWithValue("$b", id);
            cmd.Parameters.AddWithValue("$cp", checkpoint.OpId.Value);
            using var reader = cmd.ExecuteReader();
            reader.Read();
            var newer = unchecked((uint)reader.GetInt64(0));
            found[name] = new BucketChecksum(name, unchecked(total - newer), count - reader.GetInt64(1));
        }
        tx.Commit();
        return misses.Select(bucket => found.TryGetValue(bucket, out var f) ? f : new BucketChecksum(bucket, 0, 0)).ToList();
    }

    public Task<BucketDataPage> ReadBucketPageAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOps, 1);
        using var connection = storage.OpenReadConnection();
        using var read = new NativeStatement(connection, """
            SELECT d.op_id, d.op, d.object_type, d.object_id, d.subkey, d.data, d.checksum, d.target_op
            FROM buckets b JOIN bucket_data d ON d.bucket_id = b.id
            WHERE b.rules_id = ?1 AND b.name = ?2 AND d.op_id > ?3 AND d.op_id <= ?4
            ORDER BY d.op_id LIMIT ?5
            """);
        read.Bind(1, checkpoint.RulesVersion).Bind(2, position.Bucket).Bind(3, position.After.Value).Bind(4, checkpoint.OpId.Value).Bind(5, maxOps + 1L);
        var ops = new List<OplogEntry>(Math.Min(maxOps, 1024));
        var hasMore = false;
        long bytes = 0;
        // Ops of a page mostly share a handful of object types: each distinct name is copied once.
        byte[]? lastType = null;
        while (read.Read())
        {
            if (ops.Count == maxOps || (ops.Count > 0 && bytes >= maxBytes))
            {
                hasMore = true;
                read.Reset();
                break;
            }
            var data = read.Blob(5);
            bytes += data?.Length ?? 0;
            byte[]? type = null;
            if (!read.IsNull(2))
            {
                var utf8 = read.BlobSpan(2);
                if (lastType is null || !utf8.SequenceEqual(lastType)) lastType = utf8.ToArray();
                type = lastType;
            }
            ops.Add(new OplogEntry(
                new OpId(read.Int64(0)),
                (OpType)read.Int64(1),
                type,
                read.Blob(3),
                read.Blob(4),
                data,
                (uint)read.Int64(6),
                read.IsNull(7) ? null : new OpId(read.Int64(7))));
        }
        return Task.FromResult(new BucketDataPage(position.Bucket, position.After, ops, hasMore));
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetParameterSetsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> lookups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        using var connection = storage.OpenReadConnection();
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        // The newest entry per source row at the checkpoint; a NULL entry means the row retracted it.
        cmd.CommandText = """
            SELECT p.parameters FROM parameter_data p
            WHERE p.rules_id = $r AND p.lookup = $l AND p.op_id <= $cp AND p.parameters IS NOT NULL
              AND p.op_id = (SELECT max(q.op_id) FROM parameter_data q
                             WHERE q.rules_id = p.rules_id AND q.lookup = p.lookup AND q.source_table = p.source_table
                               AND q.source_key = p.source_key AND q.op_id <= $cp)
            """;
        var pr = cmd.Parameters.AddWithValue("$r", checkpoint.RulesVersion);
        var pl = cmd.Parameters.Add("$l", Microsoft.Data.Sqlite.SqliteType.Text);
        cmd.Parameters.AddWithValue("$cp", checkpoint.OpId.Value);
        foreach (var lookup in lookups)
        {
            if (result.ContainsKey(lookup)) continue;
            pl.Value = lookup;
            var sets = new List<string>();
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read()) sets.Add(reader.GetString(0));
            }
            result[lookup] = sets;
        }
        tx.Commit();
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(result);
    }
}
