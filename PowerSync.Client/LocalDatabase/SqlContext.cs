using Microsoft.Data.Sqlite;

namespace PowerSync.Client.LocalDatabase;

/// <summary>An <see cref="ISqlContext"/> over one connection that the caller already holds.</summary>
internal sealed class SqlContext(StatementCache statements, RowMapper mapper) : ISqlContext
{
    public SqliteConnection Connection => statements.Connection;

    /// <summary>A command outside the statement cache (see <see cref="StatementCache.GetUncached"/>); the caller disposes it.</summary>
    public SqliteCommand GetUncached(string sql, IReadOnlyList<object?>? args) => statements.GetUncached(sql, args);

    public async Task<ExecuteResult> ExecuteAsync(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        var command = statements.Get(sql, args);
        var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new ExecuteResult(rows, SQLitePCL.raw.sqlite3_last_insert_rowid(Connection.Handle));
    }

    public async Task<ExecuteResult> ExecuteBatchAsync(string sql, IReadOnlyList<IReadOnlyList<object?>> parameterSets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameterSets);
        var rows = 0;
        for (var i = 0; i < parameterSets.Count; i++)
        {
            var args = parameterSets[i] ?? throw new ArgumentException($"Argument set {i} is null; pass an empty list for a statement without '?'.", nameof(parameterSets));
            SqliteCommand command;
            try
            {
                command = statements.Get(sql, args);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Argument set {i}: {e.Message}", nameof(parameterSets), e);
            }

            rows += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ExecuteResult(rows, SQLitePCL.raw.sqlite3_last_insert_rowid(Connection.Handle));
    }

    public async Task<IReadOnlyList<T>> GetAllAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        var command = statements.Get(sql, args);
        return await mapper.ReadAllAsync<T>(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T?> GetOptionalAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        var rows = await GetAllAsync<T>(sql, args, cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : default;
    }

    public async Task<T> GetAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        var rows = await GetAllAsync<T>(sql, args, cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : throw new PowerSyncClientException(ClientErrorCodes.NoRows, "The query returned no rows; use GetOptionalAsync when a missing row is expected.");
    }

    /// <summary>Runs internal SQL without arguments.</summary>
    public async Task RunAsync(string sql, CancellationToken cancellationToken)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs internal SQL and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object?[] args)
    {
        var command = statements.Get(sql, args);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
