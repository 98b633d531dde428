using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// What the check of the rules against the source reads besides <see cref="SourceFacts"/>: the tables of
/// the schemas the rules name, with their columns, and the inactive slots named like PowerSync's.
/// </summary>
/// <param name="Tables">Tables, views and foreign tables by (schema, name): their columns in table order.</param>
/// <param name="InactiveSlots">Inactive slots of this database named <c>powersync_&lt;version&gt;_&lt;hex&gt;</c>, by name.</param>
internal sealed record SourceSchemaFacts(
    IReadOnlyDictionary<(string Schema, string Name), IReadOnlyList<SourceColumnFacts>> Tables,
    IReadOnlyList<string> InactiveSlots)
{
    /// <summary>Those of <see cref="Tables"/> that are views or materialized views, which no publication can hold.</summary>
    public IReadOnlySet<(string Schema, string Name)> Views { get; init; } = new HashSet<(string, string)>();

    private const string ColumnsQuery = """
        SELECT n.nspname::text, c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), c.relkind IN ('v', 'm')
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1)
        ORDER BY 1, 2, a.attnum
        """;

    private const string SlotsQuery = """
        SELECT slot_name::text FROM pg_catalog.pg_replication_slots
        WHERE NOT active AND database = current_database() AND slot_name ~ '^powersync_[0-9]+_[0-9a-f]+$'
        ORDER BY slot_name
        """;

    /// <summary>Reads the tables of <paramref name="schemas"/> and the inactive PowerSync-named slots, in two queries.</summary>
    /// <exception cref="PowerSyncException">The source could not be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static async Task<SourceSchemaFacts> ReadAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<string> schemas, CancellationToken cancellationToken)
    {
        return await SourceQuery.RunAsync(dataSource, async connection =>
        {
            var tables = new Dictionary<(string, string), IReadOnlyList<SourceColumnFacts>>();
            var views = new HashSet<(string, string)>();
            var columns = new NpgsqlCommand(ColumnsQuery, connection) { Parameters = { new() { Value = schemas.ToArray() } } };
            await using (columns.ConfigureAwait(false))
            {
                var reader = await columns.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var key = (reader.GetString(0), reader.GetString(1));
                        if (!tables.TryGetValue(key, out var list)) tables[key] = list = new List<SourceColumnFacts>();
                        if (reader.GetBoolean(4)) views.Add(key);
                        if (!reader.IsDBNull(2)) ((List<SourceColumnFacts>)list).Add(new SourceColumnFacts(reader.GetString(2), reader.GetString(3)));
                    }
                }
            }

            var slots = new List<string>();
            var slotCommand = new NpgsqlCommand(SlotsQuery, connection);
            await using (slotCommand.ConfigureAwait(false))
            {
                var reader = await slotCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) slots.Add(reader.GetString(0));
                }
            }
            return new SourceSchemaFacts(tables, slots) { Views = views };
        }, cause => $"Could not read the source database's tables and slots to check the sync rules: {cause.Message}. {SourceQuery.Remedy(cause)}", cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A column of a source table: its name and its type as Postgres prints it (<c>format_type</c>).</summary>
internal sealed record SourceColumnFacts(string Name, string Type);

/// <summary>
/// The replication slots of this bucket store: those its current versions (active, processing) replicate
/// through, and those of retired versions not dropped yet (slot name to version).
/// </summary>
internal sealed record StoreSlots(IReadOnlyCollection<string> InUse, IReadOnlyDictionary<string, long> Retired);
