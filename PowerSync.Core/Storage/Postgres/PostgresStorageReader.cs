using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>Reads for sync sessions, each one statement on a pooled connection (one snapshot per statement).</summary>
internal sealed class PostgresStorageReader(PostgresBucketStorage storage) : IBucketStorageReader
{
    private readonly string _s = storage.Schema;

    public Task<Checkpoint?> GetCheckpointAsync(CancellationToken cancellationToken) => Task.FromResult(storage.Broadcast.Latest);

    public async Task<IReadOnlyList<BucketChecksum>> GetChecksumsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> buckets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var known = new Dictionary<string, BucketChecksum>(buckets.Count, StringComparer.Ordinal);
        var misses = new List<string>();
        var missed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bucket in buckets)
        {
            if (known.ContainsKey(bucket) || missed.Contains(bucket)) continue;
            if (storage.Checksums.TryGet(checkpoint.RulesVersion, bucket, checkpoint.OpId, out var cached)) known[bucket] = cached;
            else if (missed.Add(bucket)) misses.Add(bucket);
        }
        if (misses.Count > 0)
        {
            var epoch = storage.Checksums.Epoch;
            foreach (var value in await ComputeAsync(checkpoint, misses, cancellationToken).ConfigureAwait(false))
            {
                storage.Checksums.Store(checkpoint.RulesVersion, value, checkpoint.OpId, epoch);
                known[value.Bucket] = value;
            }
        }
        return buckets.Select(bucket => known[bucket]).ToList();
    }

    /// <summary>
    /// Checksums of buckets at the checkpoint in one statement: each bucket's running totals, less the ops committed
    /// after the checkpoint (only for buckets changed since, a short index range).
    /// </summary>
    private async Task<List<BucketChecksum>> ComputeAsync(Checkpoint checkpoint, List<string> names, CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand($"""
            SELECT b.name, b.checksum, b.op_count, coalesce(n.sum, 0), coalesce(n.count, 0)
            FROM {_s}.buckets b
            LEFT JOIN LATERAL (
                SELECT (sum(d.checksum) % 4294967296)::bigint AS sum, count(*) AS count FROM {_s}.bucket_data d
                WHERE d.bucket_id = b.id AND d.op_id > $3) n ON b.last_op > $3
            WHERE b.rules_id = $1 AND b.name = ANY($2)
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RulesVersion });
        cmd.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.OpId.Value });
        var found = new Dictionary<string, BucketChecksum>(names.Count, StringComparer.Ordinal);
        using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                var total = unchecked((uint)reader.GetInt64(1));
                var newer = unchecked((uint)reader.GetInt64(3));
                found[name] = new BucketChecksum(name, unchecked(total - newer), reader.GetInt64(2) - reader.GetInt64(4));
            }
        }
        return names.Select(name => found.TryGetValue(name, out var f) ? f : new BucketChecksum(name, 0, 0)).ToList();
    }

    public async Task<BucketDataPage> ReadBucketPageAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOps, 1);
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand($"""
            SELECT d.op_id, d.op, d.object_type, d.object_id, d.subkey, d.data, d.checksum, d.target_op
            FROM {_s}.bucket_data d
            WHERE d.bucket_id = (SELECT id FROM {_s}.buckets WHERE rules_id = $1 AND name = $2) AND d.op_id > $3 AND d.op_id <= $4
            ORDER BY d.op_id LIMIT $5
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RulesVersion });
        cmd.Parameters.Add(new NpgsqlParameter { Value = position.Bucket });
        cmd.Parameters.Add(new NpgsqlParameter { Value = position.After.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.OpId.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = maxOps + 1L });
        var ops = new List<OplogEntry>(Math.Min(maxOps, 1024));
        var hasMore = false;
        long bytes = 0;
        // Ops of a page mostly share a handful of object types: each distinct name is kept once.
        byte[]? lastType = null;
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ops.Count == maxOps || (ops.Count > 0 && bytes >= maxBytes))
            {
                hasMore = true;
                break;
            }
            var data = reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5);
            bytes += data?.Length ?? 0;
            byte[]? type = null;
            if (!reader.IsDBNull(2))
            {
                var utf8 = reader.GetFieldValue<byte[]>(2);
                if (lastType is null || !utf8.AsSpan().SequenceEqual(lastType)) lastType = utf8;
                type = lastType;
            }
            ops.Add(new OplogEntry(
                new OpId(reader.GetInt64(0)),
                (OpType)reader.GetInt16(1),
                type,
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4),
                data,
                unchecked((uint)reader.GetInt64(6)),
                reader.IsDBNull(7) ? null : new OpId(reader.GetInt64(7))));
        }
        return new BucketDataPage(position.Bucket, position.After, ops, hasMore);
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetParameterSetsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> lookups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var lookup in lookups) result.TryAdd(lookup, new List<string>());
        if (result.Count == 0) return result;
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The newest entry per source row at the checkpoint (a NULL entry means the row retracted it), all lookups in
        // one statement; each is an index range scan of the primary key (rules_id, lookup, source_table, source_key, op_id).
        using var cmd = new NpgsqlCommand($"""
            SELECT lookup, parameters FROM (
                SELECT DISTINCT ON (lookup, source_table, source_key) lookup, parameters
                FROM {_s}.parameter_data
                WHERE rules_id = $1 AND lookup = ANY($2) AND op_id <= $3
                ORDER BY lookup, source_table, source_key, op_id DESC) newest
            WHERE parameters IS NOT NULL
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RulesVersion });
        cmd.Parameters.Add(new NpgsqlParameter { Value = result.Keys.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.OpId.Value });
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            ((List<string>)result[reader.GetString(0)]).Add(reader.GetString(1));
        return result;
    }
}
