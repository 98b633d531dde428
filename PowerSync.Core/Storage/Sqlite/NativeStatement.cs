using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// A statement prepared once on a connection's native handle and bound by position. The write
/// path's per-row statements use this: ADO.NET binds every parameter by name on each execution,
/// which costs more than the insert itself. It runs inside whatever transaction the connection has.
/// </summary>
internal sealed class NativeStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public NativeStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _stmt));
    }

    public NativeStatement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_stmt, index, value));
        return this;
    }

    /// <summary>Binds text as UTF-16: SQLite converts it in native code, with no managed UTF-8 copy per value.</summary>
    public NativeStatement Bind(int index, string? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text16(_stmt, index, value.AsSpan()));
        return this;
    }

    public NativeStatement Bind(int index, byte[]? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_blob(_stmt, index, value));
        return this;
    }

    /// <summary>Binds a blob (SQLite copies it, so the span may be reused at once).</summary>
    public NativeStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        Check(raw.sqlite3_bind_blob(_stmt, index, value));
        return this;
    }

    /// <summary>Runs a statement that returns no rows, then resets it for the next use.</summary>
    public void Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Steps to the next row; false when done (then the statement is reset).</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW) return true;
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    /// <summary>Ends reading early and makes the statement reusable.</summary>
    public void Reset() => raw.sqlite3_reset(_stmt);

    /// <summary>A blob column, or a text column's UTF-8, copied (null for NULL).</summary>
    public byte[]? Blob(int column) =>
        raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_blob(_stmt, column).ToArray();

    /// <summary>A blob column of the current row, valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> BlobSpan(int column) => raw.sqlite3_column_blob(_stmt, column);

    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL;

    private void Check(int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
    }

    public void Dispose() => _stmt.Dispose();
}
