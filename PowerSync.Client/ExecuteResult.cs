namespace PowerSync.Client;

/// <summary>The outcome of <see cref="ISqlContext.ExecuteAsync"/>.</summary>
/// <param name="RowsAffected">Rows changed by the statement (as SQLite counts them).</param>
/// <param name="LastInsertRowId">The connection's last inserted rowid.</param>
public sealed record ExecuteResult(int RowsAffected, long LastInsertRowId);
