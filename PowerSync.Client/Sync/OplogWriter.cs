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
/// of the same key at once. Bulk mode (a set of key hashes given; the index is dropped while a
/// download fills an empty op log): inserts only append, and an op whose (bucket, key) may have been
/// stored before is recorded in <c>ps_oplog_pending</c>; <see cref="ResolvePendingSql"/> deletes the
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
    private readonly HashSet<long>? _bulkKeys;
    private readonly Statement _insert;
    private readonly Statement _supersede;
    private readonly Statement _pending;
    private readonly Statement _updated;
    private readonly Statement _hasOps;
    private char[] _key = new char[128];

    public OplogWriter(sqlite3 db, HashSet<long>? bulkKeys)
    {
        _db = db;
        _bulkKeys = bulkKeys;
        _insert = new Statement(db, "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _supersede = new Statement(db, "DELETE FROM ps_oplog WHERE row_type IS ?1 AND row_id IS ?2 AND bucket = ?3 AND key = ?4 RETURNING hash");
        _pending = new Statement(db, "INSERT INTO ps_oplog_pending(bucket, op_id, row_type, row_id, key) VALUES(?1, ?2, ?3, ?4, ?5)");
        _updated = new Statement(db, "INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES(?1, ?2)");
        _hasOps = new Statement(db, "SELECT EXISTS(SELECT 1 FROM ps_oplog WHERE bucket = ?1)");
    }

    /// <summary>Saves one line's ops; returns the new checksums and whether the bucket was cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (long Add, long Op, bool Cleared) Save(long bucketId, DataLine line, long add, long op, CancellationToken cancellationToken)
    {
        _hasOps.Bind(1, bucketId);
        var mayHaveKeys = _hasOps.Step() && _hasOps.Int64(0) != 0;
        _hasOps.Reset();
        var cleared = false;
        foreach (var entry in line.Data)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (entry.Op)
            {
                case OpKind.Put or OpKind.Remove:
                {
                    var key = Key(entry);
                    if (_bulkKeys is not null)
                    {
                        var hash = KeyHash(bucketId, key);
                        if (_bulkKeys.Contains(hash)) Pending(bucketId, entry, key);
                        if (entry.Op == OpKind.Put) _bulkKeys.Add(hash);
                    }
                    else if (mayHaveKeys)
                    {
                        var superseded = Supersede(bucketId, entry, key);
                        add += superseded;
                        op -= superseded;
                    }

                    if (entry.Op == OpKind.Put)
                    {
                        Insert(bucketId, entry, key);
                        op += entry.Checksum;
                        mayHaveKeys = true;
                        // A PUT without data deletes the row; queue it so the apply sees it without a scan.
                        if (entry.Data is null) Updated(entry);
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

        return (add, op, cleared);
    }

    /// <summary><c>type/id/subkey</c> (subkey "null" when absent), built in a reused buffer.</summary>
    private ReadOnlySpan<char> Key(OplogEntry entry)
    {
        var type = entry.ObjectType.AsSpan();
        var id = entry.ObjectId.AsSpan();
        var subkey = entry.Subkey is null ? "null".AsSpan() : entry.Subkey.AsSpan();
        var length = type.Length + id.Length + subkey.Length + 2;
        if (_key.Length < length) _key = new char[Math.Max(length, _key.Length * 2)];
        type.CopyTo(_key);
        _key[type.Length] = '/';
        id.CopyTo(_key.AsSpan(type.Length + 1));
        _key[type.Length + id.Length + 1] = '/';
        subkey.CopyTo(_key.AsSpan(type.Length + id.Length + 2));
        return _key.AsSpan(0, length);
    }

    private long Supersede(long bucketId, OplogEntry entry, ReadOnlySpan<char> key)
    {
        _supersede.Bind(1, entry.ObjectType);
        _supersede.Bind(2, entry.ObjectId);
        _supersede.Bind(3, bucketId);
        _supersede.Bind(4, key);
        long sum = 0;
        while (_supersede.Step()) sum += _supersede.Int64(0);
        _supersede.Reset();
        return sum;
    }

    private void Insert(long bucketId, OplogEntry entry, ReadOnlySpan<char> key)
    {
        _insert.Bind(1, bucketId);
        _insert.Bind(2, entry.OpId);
        _insert.Bind(3, entry.ObjectType);
        _insert.Bind(4, entry.ObjectId);
        _insert.Bind(5, key);
        _insert.BindUtf8(6, entry.Data);
        _insert.Bind(7, entry.Checksum);
        _insert.Execute();
    }

    private void Pending(long bucketId, OplogEntry entry, ReadOnlySpan<char> key)
    {
        _pending.Bind(1, bucketId);
        _pending.Bind(2, entry.OpId);
        _pending.Bind(3, entry.ObjectType);
        _pending.Bind(4, entry.ObjectId);
        _pending.Bind(5, key);
        _pending.Execute();
    }

    private void Updated(OplogEntry entry)
    {
        _updated.Bind(1, entry.ObjectType);
        _updated.Bind(2, entry.ObjectId);
        _updated.Execute();
    }

    private void Run(string sql)
    {
        var rc = raw.sqlite3_exec(_db, sql);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>64-bit FNV-1a of the bucket id and key (bulk mode's "may exist" set; a collision only costs a pending row).</summary>
    private static long KeyHash(long bucketId, ReadOnlySpan<char> key)
    {
        var hash = unchecked((ulong)bucketId * 1099511628211UL) ^ 14695981039346656037UL;
        foreach (var c in key) hash = unchecked((hash ^ c) * 1099511628211UL);
        return unchecked((long)hash);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _supersede.Dispose();
        _pending.Dispose();
        _updated.Dispose();
        _hasOps.Dispose();
    }

    /// <summary>A raw prepared statement: binding and stepping without per-call allocations.</summary>
    private sealed class Statement : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _stmt;

        public Statement(sqlite3 db, string sql)
        {
            _db = db;
            var rc = raw.sqlite3_prepare_v2(db, sql, out _stmt);
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
        }

        public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

        public void Bind(int index, string? value) =>
            Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text16(_stmt, index, value.AsSpan()));

        public void Bind(int index, ReadOnlySpan<char> value) => Check(raw.sqlite3_bind_text16(_stmt, index, value));

        /// <summary>UTF-8 text (null binds NULL).</summary>
        public void BindUtf8(int index, byte[]? value) =>
            Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text(_stmt, index, value.AsSpan()));

        public bool Step()
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc == raw.SQLITE_ROW) return true;
            if (rc == raw.SQLITE_DONE) return false;
            raw.sqlite3_reset(_stmt);
            SqliteException.ThrowExceptionForRC(rc, _db);
            return false;
        }

        public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

        public void Execute()
        {
            Step();
            Reset();
        }

        public void Reset() => raw.sqlite3_reset(_stmt);

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
        }

        public void Dispose() => _stmt.Dispose();
    }
}
