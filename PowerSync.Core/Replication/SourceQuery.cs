using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Plain queries on the source database (not the replication connection), through the application's pooled
/// data source, with one meaning for "the source cannot be queried".
/// </summary>
internal static class SourceQuery
{
    /// <summary>
    /// Runs <paramref name="query"/> on a connection of <paramref name="source"/>. A pooled connection that
    /// Postgres closed meanwhile (a restart) only fails at its first command: the query then runs once more on a
    /// new connection. A source that cannot be reached or answers too late is
    /// <see cref="ReplicationErrorCodes.SourceQueryFailed"/>, worded by <paramref name="failure"/> from the cause.
    /// </summary>
    /// <exception cref="PowerSyncException">The source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static async Task<T> RunAsync<T>(NpgsqlDataSource source, Func<NpgsqlConnection, Task<T>> query, Func<Exception, string> failure, CancellationToken cancellationToken)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    try
                    {
                        return await query(connection).ConfigureAwait(false);
                    }
                    catch (NpgsqlException e) when (attempt == 1 && e.IsTransient && !cancellationToken.IsCancellationRequested)
                    {
                        // The connection broke under us: the next one is opened fresh.
                    }
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PowerSyncException(ReplicationErrorCodes.SourceQueryFailed, failure(e), e);
        }
    }

    /// <summary>
    /// What an operator should do about a source that could not be queried, from the cause: only a refused
    /// login or an unknown database or host points at the connection string; a server that is down, restarting
    /// or slow is waited out, because whatever queried it retries by itself.
    /// </summary>
    public static string Remedy(Exception cause) => cause switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
            "Check the user name and password in the connection string, and that pg_hba.conf lets this role connect.",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => "Check the database name in the connection string.",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } => "Grant the role what the message names.",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound } } =>
            "Check the host name in the connection string.",
        _ => "The server is down, restarting or unreachable; this is retried until it answers.",
    };
}
