namespace PowerSync.Core.Storage;

/// <summary>
/// A source row's state after a batch: what to store in <c>current_data</c>. <paramref name="New"/>: not stored
/// before the batch, as looked up, or as assumed for an insert (see <see cref="RowDiff.Compute"/>).
/// </summary>
internal sealed record PendingRow(string Table, byte[] Key, RowMembership Membership, byte[]? Raw, bool Deleted, bool New);

/// <summary>
/// Turns a batch of row changes into ops: each row's previous membership is loaded once for the
/// whole batch, then changes apply in order — PUT into every bucket the row is in now, REMOVE from
/// every bucket it left (by bucket and object identity), lookup entries for its lookups now and
/// retractions for the ones it no longer produces.
/// <para>
/// One instance serves one writer: its collections are reused from batch to batch (a batch's ops
/// list alone would otherwise be a large-object allocation per flush, and each of those brings a
/// full garbage collection closer), so a <see cref="Batch"/> is only valid until the next
/// <see cref="Compute"/>.
/// </para>
/// </summary>
internal sealed class RowDiff
{
    /// <summary>Rows with more memberships than this are deduplicated with a hash set instead of a scan.</summary>
    private const int LinearScanLimit = 16;

    internal sealed record Batch(List<PendingOp> Ops, List<PendingParameter> Parameters, List<PendingRow> Rows)
    {
        /// <summary>How many of the rows are new by assumption, not by lookup: the store must verify it as it writes them.</summary>
        public int AssumedNew { get; set; }
    }

    /// <summary>Loads stored memberships of some keys of one table into <c>into</c>; keys not stored are left out.</summary>
    internal delegate void LoadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into);

    private readonly Dictionary<(string, string), RowMembership> _current = [];
    private readonly Dictionary<string, List<(string, byte[])>> _toLoad = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowMembership> _loaded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), int> _rowIndex = [];
    // Rows not stored before the batch (looked up and not found, or assumed); and, while computing, the rows whose
    // first change is an insert and whose last is not a delete (null: not assumable).
    private readonly HashSet<(string, string)> _new = [];
    private readonly Dictionary<(string, string), bool> _assumable = [];
    private readonly Batch _batch = new([], [], []);

    /// <summary>
    /// The batch's ops and rows. With <paramref name="assumeInsertsNew"/>, a row whose first change in the batch is a
    /// <see cref="RowChangeKind.Insert"/> and whose last is not a delete is taken as not stored, without a lookup;
    /// the store then must write it so that a stored one fails the write (a unique key), and recompute without.
    /// </summary>
    public Batch Compute(IReadOnlyList<PendingChange> changes, LoadMemberships load, bool assumeInsertsNew = false)
    {
        Clear();
        if (assumeInsertsNew)
        {
            foreach (var change in changes)
            {
                var id = (change.Table, change.ReplicaId);
                if (!_assumable.TryGetValue(id, out var assumable))
                    _assumable[id] = change.Kind == RowChangeKind.Insert && change.KnownPrevious is null;
                else if (assumable && change.Kind == RowChangeKind.Delete)
                    _assumable[id] = false;
            }
        }
        foreach (var change in changes)
        {
            var id = (change.Table, change.ReplicaId);
            if (_current.ContainsKey(id)) continue;
            if (change.KnownPrevious is { } known)
            {
                _current[id] = known;
                continue;
            }
            _current[id] = RowMembership.Empty;
            _new.Add(id);
            if (assumeInsertsNew && _assumable[id])
            {
                _batch.AssumedNew++;
                continue;
            }
            if (!_toLoad.TryGetValue(change.Table, out var keys)) _toLoad[change.Table] = keys = [];
            keys.Add((change.ReplicaId, change.Key));
        }
        foreach (var (table, keys) in _toLoad)
        {
            if (keys.Count == 0) continue;
            _loaded.Clear();
            load(table, keys, _loaded);
            foreach (var (replicaId, membership) in _loaded)
            {
                _current[(table, replicaId)] = membership;
                _new.Remove((table, replicaId));
            }
        }

        foreach (var change in changes)
        {
            var id = (change.Table, change.ReplicaId);
            var now = Apply(change, _current[id], _batch.Ops, _batch.Parameters);
            _current[id] = now;
            var row = new PendingRow(change.Table, change.Key, now, change.Raw, change.Kind == RowChangeKind.Delete, _new.Contains(id));
            // A row changed twice in the batch keeps its first position and its last state.
            if (_rowIndex.TryGetValue(id, out var index)) _batch.Rows[index] = row;
            else
            {
                _rowIndex[id] = _batch.Rows.Count;
                _batch.Rows.Add(row);
            }
        }
        return _batch;
    }

    /// <summary>Empties the workspace (keeping its capacity, and the per-table key lists for the next batch).</summary>
    private void Clear()
    {
        _current.Clear();
        _new.Clear();
        _assumable.Clear();
        _batch.AssumedNew = 0;
        foreach (var keys in _toLoad.Values) keys.Clear();
        if (_toLoad.Count > 64) _toLoad.Clear();
        _rowIndex.Clear();
        _batch.Ops.Clear();
        _batch.Parameters.Clear();
        _batch.Rows.Clear();
    }

    private static RowMembership Apply(PendingChange change, RowMembership previous, List<PendingOp> ops, List<PendingParameter> parameters)
    {
        var subkey = SourceRowIdentity.Subkey(change.Table, change.ReplicaId);
        var isDelete = change.Kind == RowChangeKind.Delete;

        BucketMembership[] now = isDelete ? [] : Distinct(change.Buckets, static row => new BucketMembership(row.Bucket, row.ObjectType, row.ObjectId));
        if (!isDelete)
        {
            foreach (var row in change.Buckets)
            {
                ops.Add(new PendingOp(row.Bucket, OpType.Put, row.ObjectType, row.ObjectId, subkey, row.Data,
                    OpChecksum.ForPut(row.ObjectType, row.ObjectId, row.Data)));
            }
        }
        if (previous.Buckets.Count > 0)
        {
            var nowSet = now.Length > LinearScanLimit ? new HashSet<BucketMembership>(now) : null;
            for (var i = 0; i < previous.Buckets.Count; i++)
            {
                var old = previous.Buckets[i];
                if (nowSet?.Contains(old) ?? now.AsSpan().Contains(old)) continue;
                ops.Add(new PendingOp(old.Bucket, OpType.Remove, old.ObjectType, old.ObjectId, subkey, null, OpChecksum.ForRemove(subkey)));
            }
        }

        string[] lookups = isDelete ? [] : Distinct(change.Lookups, static lookup => lookup.Lookup);
        if (!isDelete)
        {
            foreach (var lookup in change.Lookups)
                parameters.Add(new PendingParameter(lookup.Lookup, change.Table, change.Key, lookup.Parameters));
        }
        if (previous.Lookups.Count > 0)
        {
            var lookupSet = lookups.Length > LinearScanLimit ? new HashSet<string>(lookups, StringComparer.Ordinal) : null;
            for (var i = 0; i < previous.Lookups.Count; i++)
            {
                var old = previous.Lookups[i];
                if (!(lookupSet?.Contains(old) ?? lookups.AsSpan().Contains(old))) parameters.Add(new PendingParameter(old, change.Table, change.Key, null));
            }
        }
        return now.Length == 0 && lookups.Length == 0 ? RowMembership.Empty : new RowMembership(now, lookups);
    }

    /// <summary>The distinct projections of <paramref name="items"/>, in first-seen order.</summary>
    private static T[] Distinct<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, T> project) where T : IEquatable<T>
    {
        switch (items.Count)
        {
            case 0:
                return [];
            case 1:
                return [project(items[0])];
            case > LinearScanLimit:
                var seen = new HashSet<T>(items.Count);
                var list = new List<T>(items.Count);
                foreach (var item in items)
                {
                    var value = project(item);
                    if (seen.Add(value)) list.Add(value);
                }
                return [.. list];
        }
        var result = new T[items.Count];
        var count = 0;
        foreach (var item in items)
        {
            var value = project(item);
            if (!result.AsSpan(0, count).Contains(value)) result[count++] = value;
        }
        return count == result.Length ? result : result[..count];
    }
}
