namespace PowerSync.Client;

/// <summary>
/// Runs SQL with positional <c>?</c> arguments: the database itself (each call takes a lock) or the
/// context of a read or write transaction. Rows map to records by constructor parameter name or to
/// classes by property name (<c>list_id</c> matches <c>ListId</c>), to a scalar from the first
/// column, or to <c>Dictionary&lt;string, object?&gt;</c>.
/// </summary>
public interface ISqlContext
{
    /// <summary>Runs a statement and returns the rows it changed and the last inserted row id.</summary>
    Task<ExecuteResult> ExecuteAsync(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one statement once per argument set, prepared once, all in one transaction (the caller's, or one of its
    /// own on the database: all sets apply or none). Returns the rows changed in total and the last inserted row id.
    /// </summary>
    Task<ExecuteResult> ExecuteBatchAsync(string sql, IReadOnlyList<IReadOnlyList<object?>> parameterSets, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and maps every row.</summary>
    Task<IReadOnlyList<T>> GetAllAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and maps the first row, or returns default when there is none.</summary>
    Task<T?> GetOptionalAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and maps the first row; throws <see cref="ClientErrorCodes.NoRows"/> when there is none.</summary>
    Task<T> GetAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);
}
