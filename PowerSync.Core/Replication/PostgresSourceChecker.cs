using System.Collections.Immutable;
using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Checks, before replication starts, that the source Postgres can be replicated from: server version,
/// <c>wal_level</c>, the publication, the role's REPLICATION attribute, free slots and WAL senders,
/// and each published table's replica identity, row level security and SELECT permission.
/// Every problem is reported, each with what to change.
/// </summary>
internal static class PostgresSourceChecker
{
    /// <summary>Oldest supported server: logical decoding messages in pgoutput need Postgres 14.</summary>
    public const int MinimumServerVersionNum = 140000;

    private const string SettingsQuery = """
        SELECT current_setting('server_version_num')::int,
               current_setting('wal_level'),
               current_setting('max_replication_slots')::int,
               (SELECT count(*)::int FROM pg_catalog.pg_replication_slots),
               EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1),
               current_setting('max_wal_senders')::int,
               (SELECT count(*)::int FROM pg_catalog.pg_stat_activity WHERE backend_type = 'walsender'),
               r.rolname::text,
               r.rolreplication OR r.rolsuper,
               r.rolbypassrls OR r.rolsuper
        FROM pg_catalog.pg_roles r
        WHERE r.rolname = current_user
        """;

    private const string PublicationQuery = """
        SELECT pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot
        FROM pg_catalog.pg_publication WHERE pubname = $1
        """;

    private const string TablesQuery = """
        SELECT n.nspname::text, c.relname::text, c.relreplident::text,
               EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
               EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident),
               c.relrowsecurity,
               has_table_privilege(c.oid, 'SELECT')
        FROM pg_catalog.pg_publication_tables pt
        JOIN pg_catalog.pg_namespace n ON n.nspname = pt.schemaname
        JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
        WHERE pt.pubname = $1
        ORDER BY 1, 2
        """;

    /// <summary>Reads the facts and evaluates them.</summary>
    /// <param name="dataSource">A normal (non-replication) connection to the source, as the replication role.</param>
    /// <param name="publicationName">The publication to replicate (default <c>powersync</c>).</param>
    /// <param name="slotName">The slot replication will use; when it exists already no free slot is needed.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <exception cref="PowerSyncException">The checks themselves could not run (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static async Task<SourceCheckResult> CheckAsync(
        NpgsqlDataSource dataSource, string publicationName, string? slotName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publicationName);
        var facts = await ReadFactsAsync(dataSource, publicationName, slotName, cancellationToken).ConfigureAwait(false);
        return Evaluate(facts, publicationName);
    }

    /// <summary>Reads what the checks need, in three queries.</summary>
    public static async Task<SourceFacts> ReadFactsAsync(
        NpgsqlDataSource dataSource, string publicationName, string? slotName, CancellationToken cancellationToken)
    {
        return await SourceQuery.RunAsync(dataSource, async connection =>
        {
            SourceFacts facts;
            var settings = new NpgsqlCommand(SettingsQuery, connection) { Parameters = { new() { Value = slotName ?? "" } } };
            await using (settings.ConfigureAwait(false))
            {
                var reader = await settings.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw new PowerSyncException(ReplicationErrorCodes.AssertionFailed, "The current role was not found in pg_roles.");
                    }
                    facts = new SourceFacts
                    {
                        ServerVersionNum = reader.GetInt32(0),
                        WalLevel = reader.GetString(1),
                        MaxReplicationSlots = reader.GetInt32(2),
                        UsedReplicationSlots = reader.GetInt32(3),
                        SlotExists = reader.GetBoolean(4),
                        MaxWalSenders = reader.GetInt32(5),
                        UsedWalSenders = reader.GetInt32(6),
                        RoleName = reader.GetString(7),
                        RoleCanReplicate = reader.GetBoolean(8),
                        RoleBypassesRls = reader.GetBoolean(9),
                        Publication = null,
                    };
                }
            }

            var publication = new NpgsqlCommand(PublicationQuery, connection) { Parameters = { new() { Value = publicationName } } };
            await using (publication.ConfigureAwait(false))
            {
                var reader = await publication.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        facts = facts with
                        {
                            Publication = new PublicationFacts(
                                reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4)),
                        };
                    }
                }
            }

            if (facts.Publication is null) return facts;

            var tables = ImmutableArray.CreateBuilder<PublishedTableFacts>();
            var tableCommand = new NpgsqlCommand(TablesQuery, connection) { Parameters = { new() { Value = publicationName } } };
            await using (tableCommand.ConfigureAwait(false))
            {
                var reader = await tableCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        tables.Add(new PublishedTableFacts(
                            reader.GetString(0), reader.GetString(1), reader.GetString(2)[0],
                            reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6)));
                    }
                }
            }
            return facts with { Tables = tables.ToImmutable() };
        }, cause => $"Could not check the source database's replication settings: {cause.Message}. {SourceQuery.Remedy(cause)}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns the facts into errors and warnings (pure; every rule applied, none short-circuits).</summary>
    public static SourceCheckResult Evaluate(SourceFacts facts, string publicationName)
    {
        var errors = new List<SourceProblem>();
        var warnings = new List<SourceProblem>();

        if (facts.ServerVersionNum < MinimumServerVersionNum)
        {
            errors.Add(new(ReplicationErrorCodes.ServerTooOld,
                $"Postgres {facts.ServerVersionNum / 10000} is not supported: replication needs Postgres 14 or later. Upgrade the source database."));
        }

        if (facts.WalLevel != "logical")
        {
            errors.Add(new(ReplicationErrorCodes.WalLevelNotLogical,
                $"wal_level is '{facts.WalLevel}', logical replication needs 'logical'. Run ALTER SYSTEM SET wal_level = logical; (or edit postgresql.conf) and restart PostgreSQL."));
        }

        if (!facts.RoleCanReplicate)
        {
            errors.Add(new(ReplicationErrorCodes.RoleCannotReplicate,
                $"Role \"{facts.RoleName}\" may not start replication. Run ALTER ROLE \"{facts.RoleName}\" WITH REPLICATION; as a superuser (or use a role that has it)."));
        }

        if (!facts.SlotExists && facts.UsedReplicationSlots >= facts.MaxReplicationSlots)
        {
            errors.Add(new(ReplicationErrorCodes.NoFreeReplicationSlot,
                $"No free replication slot: max_replication_slots = {facts.MaxReplicationSlots} and {facts.UsedReplicationSlots} are in use. " +
                "Drop unused slots (see pg_replication_slots; SELECT pg_drop_replication_slot('<name>');) or raise max_replication_slots and restart PostgreSQL."));
        }

        if (facts.UsedWalSenders >= facts.MaxWalSenders)
        {
            errors.Add(new(ReplicationErrorCodes.NoFreeWalSender,
                $"No free WAL sender: max_wal_senders = {facts.MaxWalSenders} and {facts.UsedWalSenders} are in use. " +
                "Stop unused replication connections or raise max_wal_senders and restart PostgreSQL."));
        }

        if (facts.Publication is not { } publication)
        {
            errors.Add(new(ReplicationErrorCodes.PublicationMissing,
                $"Publication '{publicationName}' does not exist. Run: CREATE PUBLICATION \"{publicationName}\" FOR ALL TABLES; (or FOR TABLE with the tables your sync rules use)."));
        }
        else
        {
            var missing = new List<string>();
            if (!publication.Insert) missing.Add("insert");
            if (!publication.Update) missing.Add("update");
            if (!publication.Delete) missing.Add("delete");
            if (!publication.Truncate) missing.Add("truncate");
            if (missing.Count > 0)
            {
                errors.Add(new(ReplicationErrorCodes.PublicationIncomplete,
                    $"Publication '{publicationName}' does not publish {string.Join(", ", missing)}. " +
                    $"Run: ALTER PUBLICATION \"{publicationName}\" SET (publish = 'insert, update, delete, truncate');"));
            }

            if (publication.ViaRoot)
            {
                errors.Add(new(ReplicationErrorCodes.PublicationViaPartitionRoot,
                    $"Publication '{publicationName}' uses publish_via_partition_root, which is not supported. " +
                    $"Run: ALTER PUBLICATION \"{publicationName}\" SET (publish_via_partition_root = false);"));
            }

            if (facts.Tables.IsEmpty)
            {
                warnings.Add(new(ReplicationErrorCodes.PublicationEmpty,
                    $"Publication '{publicationName}' publishes no tables, so nothing will replicate. Run: ALTER PUBLICATION \"{publicationName}\" ADD TABLE <table>;"));
            }

            foreach (var table in facts.Tables) CheckTable(table, facts, errors, warnings);
        }

        return new SourceCheckResult(errors, warnings);
    }

    /// <summary>Why a published table cannot identify its rows in updates and deletes ("has REPLICA IDENTITY NOTHING"), or null.</summary>
    public static string? ReplicaIdentityProblem(PublishedTableFacts table) => table.ReplicaIdentity switch
    {
        'n' => "has REPLICA IDENTITY NOTHING",
        'd' when !table.HasPrimaryKey => "has no primary key (REPLICA IDENTITY DEFAULT needs one)",
        'i' when !table.HasReplicaIdentityIndex => "has REPLICA IDENTITY USING INDEX but the index no longer exists",
        _ => null,
    };

    private static void CheckTable(PublishedTableFacts table, SourceFacts facts, List<SourceProblem> errors, List<SourceProblem> warnings)
    {
        var name = table.QualifiedName;
        if (ReplicaIdentityProblem(table) is { } identityProblem)
        {
            warnings.Add(new(ReplicationErrorCodes.NoReplicaIdentity,
                $"Table {name} {identityProblem}: Postgres rejects its updates and deletes while it is published, and they cannot be replicated. " +
                $"Add a primary key, or run ALTER TABLE {name} REPLICA IDENTITY FULL; (or USING INDEX <unique index>).",
                name));
        }

        if (table.RowSecurity && !facts.RoleBypassesRls)
        {
            warnings.Add(new(ReplicationErrorCodes.RowLevelSecurity,
                $"Row level security is enabled on table {name}, so role \"{facts.RoleName}\" may not read every row during the snapshot. " +
                $"Run ALTER ROLE \"{facts.RoleName}\" BYPASSRLS; or add a policy that lets it read all rows.",
                name));
        }

        if (!table.CanSelect)
        {
            errors.Add(new(ReplicationErrorCodes.SourceQueryFailed,
                $"Role \"{facts.RoleName}\" cannot read table {name}, so its initial snapshot would fail. Run GRANT SELECT ON {name} TO \"{facts.RoleName}\";",
                name));
        }
    }
}
