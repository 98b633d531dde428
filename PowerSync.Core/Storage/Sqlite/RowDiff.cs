namespace PowerSync.Core.Storage.Sqlite;

/// <summary>A source row's state after a batch: what to store in <c>current_data</c>.</summary>
internal sealed record PendingRow(string Table, byte[] Key, RowMembership Membership, byte[]? Raw, bool Deleted);

/// <summary>
/// Turns a batch of row changes into ops: each row's previous membership is loaded once for the
/// whole batch, then changes apply in order — PUT into every bucket the row is in now, REMOVE from
/// every bucket it left (by bucket and object identity), lookup entries for its lookups now and
/// retractions for the ones it no longer produces.
/// </summary>
internal static class RowDiff
{
    internal sealed record Batch(List<PendingOp> Ops, List<PendingParameter> Parameters, List<PendingRow> Rows);

    /// <summary>Loads stored memberships of some keys of one table; keys not stored are absent.</summary>
    internal delegate Dictionary<string, RowMembership> LoadMemberships(string table, IReadOnlyList<(string ReplicaId, byte[] Key)> keys);

    public static Batch Compute(IReadOnlyList<PendingChange> changes, LoadMemberships load)
    {
        var current = new Dictionary<(string, string), RowMembership>(changes.Count);
        var toLoad = new Dictionary<string, List<(string, byte[])>>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var id = (change.Table, change.ReplicaId);
            if (current.ContainsKey(id)) continue;
            if (change.KnownPrevious is { } known)
            {
                current[id] = known;
                continue;
            }
            current[id] = RowMembership.Empty;
            if (!toLoad.TryGetValue(change.Table, out var keys)) toLoad[change.Table] = keys = [];
            keys.Add((change.ReplicaId, change.Key));
        }
        foreach (var (table, keys) in toLoad)
        {
            foreach (var (replicaId, membership) in load(table, keys)) current[(table, replicaId)] = membership;
        }

        var ops = new List<PendingOp>(changes.Count);
        var parameters = new List<PendingParameter>();
        var rows = new Dictionary<(string, string), PendingRow>(changes.Count);
        foreach (var change in changes)
        {
            var id = (change.Table, change.ReplicaId);
            var now = Apply(change, current[id], ops, parameters);
            current[id] = now;
            rows[id] = new PendingRow(change.Table, change.Key, now, change.Raw, change.Kind == RowChangeKind.Delete);
        }
        return new Batch(ops, parameters, [.. rows.Values]);
    }

    private static RowMembership Apply(PendingChange change, RowMembership previous, List<PendingOp> ops, List<PendingParameter> parameters)
    {
        var subkey = SourceRowIdentity.Subkey(change.Table, change.ReplicaId);
        var isDelete = change.Kind == RowChangeKind.Delete;

        var now = new List<BucketMembership>(isDelete ? 0 : change.Buckets.Count);
        HashSet<BucketMembership>? nowSet = null;
        if (!isDelete)
        {
            nowSet = new HashSet<BucketMembership>(change.Buckets.Count);
            foreach (var row in change.Buckets)
            {
                ops.Add(new PendingOp(row.Bucket, OpType.Put, row.ObjectType, row.ObjectId, subkey, row.Data,
                    OpChecksum.ForPut(row.ObjectType, row.ObjectId, row.Data)));
                var member = new BucketMembership(row.Bucket, row.ObjectType, row.ObjectId);
                if (nowSet.Add(member)) now.Add(member);
            }
        }
        foreach (var old in previous.Buckets)
        {
            if (nowSet?.Contains(old) == true) continue;
            ops.Add(new PendingOp(old.Bucket, OpType.Remove, old.ObjectType, old.ObjectId, subkey, null, OpChecksum.ForRemove(subkey)));
        }

        var lookups = new List<string>(isDelete ? 0 : change.Lookups.Count);
        HashSet<string>? lookupSet = null;
        if (!isDelete)
        {
            lookupSet = new HashSet<string>(StringComparer.Ordinal);
            foreach (var lookup in change.Lookups)
            {
                parameters.Add(new PendingParameter(lookup.Lookup, change.Table, change.Key, lookup.Parameters));
                if (lookupSet.Add(lookup.Lookup)) lookups.Add(lookup.Lookup);
            }
        }
        foreach (var old in previous.Lookups)
        {
            if (lookupSet?.Contains(old) != true) parameters.Add(new PendingParameter(old, change.Table, change.Key, null));
        }
        return new RowMembership(now, lookups);
    }
}
