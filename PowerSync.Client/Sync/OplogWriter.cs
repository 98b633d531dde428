using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PowerSync.Client.Sync;

/// <summary>
/// Stores the ops of data lines in <c>ps_oplog</c> inside the caller's write transaction, op by op with
/// raw prepared statements, keeping the bucket checksums: live PUTs count in <c>op_checksum</c>,
/// superseded ops, MOVEs, REMOVEs and CLEARs in <c>add_checksum</c>.
/// <para>
/// Indexed mode (the <c>ps_oplog_row</c> index exists): a PUT or REMOVE deletes the bucket's earlier op
/// of the same key at once. Bulk mode (a <see cref="BulkLoad"/> given; the indexes are dropped while a
/// download fills an empty op log): inserts only append, and an op whose row may have been stored
/// before (in any bucket) is recorded in <c>ps_oplog_pending</c>; <see cref="ResolvePendingSql"/> deletes the
/// superseded ops once the index is rebuilt. Checksum sums are right in both modes at all times.
/// </para>
/// </summary>
internal sealed class OplogWriter : IDisposable
{
    /// <summary>Deletes the ops superseded by pending ones and moves their hashes to <c>add_checksum</c>.</summary>
    public const string ResolvePendingSql = """
        CREATE TEMP TABLE IF NOT EXISTS ps_superseded(r INTEGER, b INTEGER, h INTEGER);
        INSERT INTO temp.ps_superseded(r, b, h) SELECT DISTINCT o.rowid, o.bucket, o.hash FROM ps_oplog_pending p JOIN ps_oplog o
          ON o.row_type IS p.row_type AND o.row_id IS p.row_id AND o.bucket = p.bucket AND o.key = p.key AND o.op_id < p.op_id;
        UPDATE ps_buckets SET add_checksum = (add_checksum + x.s) & 0xffffffff, op_checksum = (op_checksum - x.s) & 0xffffffff
          FROM (SELECT b, sum(h) AS s FROM temp.ps_superseded GROUP BY b) AS x WHERE ps_buckets.id = x.b;
        DELETE FROM ps_oplog WHERE rowid IN (SELECT r FROM temp.ps_superseded);
        DELETE FROM ps_oplog_pending;
        DROP TABLE temp.ps_superseded;
        """;

    private readonly sqlite3 _db;
    private readonly BulkLoad? _bulk;
    private readonly RawStatement _insert;
    private readonly RawStatement _supersede;
    private readonly RawStatement _pending;
    private readonly RawStatement _updated;
    private readonly RawStatement _hasOps;
    private readonly RawStatement? _appendMany;
    private readonly OplogEntry[] _appends = new OplogEntry[AppendRows];
    private readonly string?[] _appendTypes = new string?[AppendRows];
    private int _appendCount;
    private long _appendBucket = -1;
    private string? _lastBulkType;
    private long _insertBucket = -1;
    private string? _insertType;
    private bool _insertTypeBound;
    private string? _lastType;
    private byte[]? _lastTypeUtf8;

    public OplogWriter(sqlite3 db, BulkLoad? bulk)
    {
        _db = db;
        _bulk = bulk;
        _insert = new RawStatement(db, "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _supersede = new RawStatement(db, "DELETE FROM ps_oplog WHERE row_type IS ?1 AND row_id IS ?2 AND bucket = ?3 AND key = ?4 RETURNING hash");
        _pending = new RawStatement(db, "INSERT INTO ps_oplog_pending(bucket, op_id, row_type, row_id, key) VALUES(?1, ?2, ?3, ?4, ?5)");
        _updated = new RawStatement(db, "INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES(?1, ?2)");
        _hasOps = new RawStatement(db, "SELECT EXISTS(SELECT 1 FROM ps_oplog WHERE bucket = ?1)");
        if (bulk is not null) _appendMany = new RawStatement(db, AppendManySql);
    }

    /// <summary>Rows per multi-row insert in bulk mode: one statement step for several ops.</summary>
    private const int AppendRows = 16;

    /// <summary>?1 the bucket; row r's op id, type, id, key, data and hash at ?(2 + 6r) to ?(7 + 6r).</summary>
    private static readonly string AppendManySql = "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES"
        + string.Join(",", Enumerable.Range(0, AppendRows).Select(r => $"(?1, ?{2 + 6 * r}, ?{3 + 6 * r}, ?{4 + 6 * r}, ?{5 + 6 * r}, ?{6 + 6 * r}, ?{7 + 6 * r})"));

    /// <summary>Saves one line's ops; returns the new checksums and whether the bucket was cleared.</summary>
    [MethodImpl(JitHints.Optimized)]
    public (long Add, long Op, bool Cleared) Save(long bucketId, DataLine line, long add, long op, CancellationToken cancellationToken)
    {
        var mayHaveKeys = false;
        if (_bulk is null)
        {
            _hasOps.Bind(1, bucketId);
            mayHaveKeys = _hasOps.Step() && _hasOps.Int64(0) != 0;
            _hasOps.Reset();
        }
        var cleared = false;
        foreach (var entry in line.Data)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (entry.Op)
            {
                case OpKind.Put or OpKind.Remove:
                {
                    var key = Key(entry);
                    if (_bulk is not null)
                    {
                        // A row seen before (in any bucket) may have an earlier op of this key to supersede.
                        var hash = entry.RowHash;
                        if (entry.Op == OpKind.Put ? !_bulk.Rows.Add(hash) : _bulk.Rows.Contains(hash))
                        {
                            Pending(bucketId, entry, key);
                            _bulk.RowsUnique = false;
                        }
                        else if (entry.Op == OpKind.Put && entry.ObjectType is { } type && !ReferenceEquals(type, _lastBulkType))
                        {
                            _bulk.Types.Add(type);
                            _lastBulkType = type;
                        }

                        if (entry.Op == OpKind.Remove || entry.Data.IsNull) _bulk.RowsUnique = false;
                    }
                    else if (mayHaveKeys)
                    {
                        var superseded = Supersede(bucketId, entry, key);
                        add += superseded;
                        op -= superseded;
                    }

                    if (entry.Op == OpKind.Put)
                    {
                        if (_appendMany is not null) Append(bucketId, entry);
                        else Insert(bucketId, entry, key);
                        op += entry.Checksum;
                        mayHaveKeys = true;
                        // A PUT without data deletes the row; queue it so the apply sees it without a scan.
                        if (entry.Data.IsNull) Updated(entry);
                    }
                    else
                    {
                        // Always re-evaluate a removed row (the official core skips this for "empty" buckets: sqlite-core#45).
                        add += entry.Checksum;
                        Updated(entry);
                    }

                    break;
                }

                case OpKind.Move:
                    add += entry.Checksum;
                    break;
                case OpKind.Clear:
                    // The line's earlier PUTs are stored first: the clear removes them.
                    FlushAppends();
                    if (_bulk is not null) _bulk.RowsUnique = false;
                    Run($"INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT row_type, row_id FROM ps_oplog WHERE bucket = {bucketId}");
                    Run($"DELETE FROM ps_oplog WHERE bucket = {bucketId}");
                    Run($"DELETE FROM ps_oplog_pending WHERE bucket = {bucketId}");
                    add = entry.Checksum;
                    op = 0;
                    cleared = true;
                    mayHaveKeys = false;
                    break;
            }
        }

        FlushAppends();
        return (add, op, cleared);
    }

    /// <summary>
    /// Bulk mode: queues a PUT for the next multi-row insert. Nothing in bulk mode reads the op log before
    /// the line ends (no superseding; pending and queued rows go to other tables), so the line's ops can
    /// be stored in groups; <see cref="FlushAppends"/> stores the rest when the line ends.
    /// </summary>
    [MethodImpl(JitHints.Optimized)]
    private void Append(long bucketId, in OplogEntry entry)
    {
        if (bucketId != _appendBucket)
        {
            FlushAppends();
            _appendMany!.Bind(1, bucketId);
            _appendBucket = bucketId;
        }

        var row = _appendCount;
        var first = 2 + 6 * row;
        var type = entry.ObjectType;
        if (_appendTypes[row] is null || !ReferenceEquals(type, _appendTypes[row]))
        {
            _appendMany!.BindUtf8(first + 1, TypeUtf8(entry));
            _appendTypes[row] = type;
        }

        _appends[row] = entry;
        _appendMany!.Bind(first, entry.OpId);
        _appendMany.BindUtf8(first + 2, entry.ObjectId);
        _appendMany.BindUtf8(first + 3, Key(entry));
        _appendMany.BindUtf8(first + 4, entry.Data);
        _appendMany.Bind(first + 5, entry.Checksum);
        if (++_appendCount == AppendRows)
        {
            _appendMany.Execute();
            _appendCount = 0;
        }
    }

    /// <summary>Stores the queued PUTs that do not fill a multi-row insert, one by one.</summary>
    private void FlushAppends()
    {
        for (var i = 0; i < _appendCount; i++) Insert(_appendBucket, _appends[i], Key(_appends[i]));
        _appendCount = 0;
    }

    /// <summary>
    /// The op's key within its row: the subkey, "null" when absent (the official key <c>type/id/subkey</c>
    /// without the type and id, which have their own columns and are always compared with it).
    /// </summary>
    private static ReadOnlySpan<byte> Key(in OplogEntry entry) => entry.Subkey.IsNull ? "null"u8 : entry.Subkey.Span;

    /// <summary>The op's object type as UTF-8: the ops of a line share one or a few types, each converted once.</summary>
    private byte[]? TypeUtf8(in OplogEntry entry)
    {
        if (entry.ObjectType is not { } type) return null;
        if (!ReferenceEquals(type, _lastType) && type != _lastType)
        {
            _lastTypeUtf8 = System.Text.Encoding.UTF8.GetBytes(type);
        }

        _lastType = type;
        return _lastTypeUtf8;
    }

    private long Supersede(long bucketId, in OplogEntry entry, ReadOnlySpan<byte> key)
    {
        _supersede.BindUtf8(1, TypeUtf8(entry));
        _supersede.BindUtf8(2, entry.ObjectId);
        _supersede.Bind(3, bucketId);
        _supersede.BindUtf8(4, key);
        long sum = 0;
        while (_supersede.Step()) sum += _supersede.Int64(0);
        _supersede.Reset();
        return sum;
    }

    private void Insert(long bucketId, in OplogEntry entry, ReadOnlySpan<byte> key)
    {
        // A binding outlives a reset: the bucket and the type, the same for op after op, are bound when they change.
        if (bucketId != _insertBucket)
        {
            _insert.Bind(1, bucketId);
            _insertBucket = bucketId;
        }

        var type = entry.ObjectType;
        if (!_insertTypeBound || !ReferenceEquals(type, _insertType))
        {
            _insert.BindUtf8(3, TypeUtf8(entry));
            _insertType = type;
            _insertTypeBound = true;
        }

        _insert.Bind(2, entry.OpId);
        _insert.BindUtf8(4, entry.ObjectId);
        _insert.BindUtf8(5, key);
        _insert.BindUtf8(6, entry.Data);
        _insert.Bind(7, entry.Checksum);
        _insert.Execute();
    }

    private void Pending(long bucketId, in OplogEntry entry, ReadOnlySpan<byte> key)
    {
        _pending.Bind(1, bucketId);
        _pending.Bind(2, entry.OpId);
        _pending.BindUtf8(3, TypeUtf8(entry));
        _pending.BindUtf8(4, entry.ObjectId);
        _pending.BindUtf8(5, key);
        _pending.Execute();
    }

    private void Updated(in OplogEntry entry)
    {
        _updated.BindUtf8(1, TypeUtf8(entry));
        _updated.BindUtf8(2, entry.ObjectId);
        _updated.Execute();
    }

    private void Run(string sql)
    {
        var rc = raw.sqlite3_exec(_db, sql);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _supersede.Dispose();
        _pending.Dispose();
        _updated.Dispose();
        _hasOps.Dispose();
        _appendMany?.Dispose();
    }
}
