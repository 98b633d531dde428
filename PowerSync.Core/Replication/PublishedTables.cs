using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>The tables a publication publishes, as the source lists them (partitions and <c>FOR ALL TABLES</c> resolved).</summary>
internal static class PublishedTables
{
    private const string Sql = "SELECT schemaname::text, tablename::text FROM pg_catalog.pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2";

    /// <summary>Every (schema, table) published by <paramref name="publicationName"/>, in order.</summary>
    /// <exception cref="PowerSyncException">The source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static Task<List<(string Schema, string Name)>> ReadAsync(NpgsqlDataSource source, string publicationName, CancellationToken cancellationToken) =>
        SourceQuery.RunAsync(source, async connection =>
        {
            var command = new NpgsqlCommand(Sql, connection) { Parameters = { new() { Value = publicationName } } };
            await using (command.ConfigureAwait(false))
            {
                var tables = new List<(string, string)>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) tables.Add((reader.GetString(0), reader.GetString(1)));
                }
                return tables;
            }
        }, cause => $"The source database cannot be queried for the tables of publication '{publicationName}': {cause.Message}. {SourceQuery.Remedy(cause)}", cancellationToken);
}
