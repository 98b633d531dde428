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

    /// <summary>Runs a query and maps every row.</summary>
    Task<IReadOnlyList<T>> GetAllAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and maps the first row, or returns default when there is none.</summary>
    Task<T?> GetOptionalAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and maps the first row; throws <see cref="ClientErrorCodes.NoRows"/> when there is none.</summary>
    Task<T> GetAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default);
}
