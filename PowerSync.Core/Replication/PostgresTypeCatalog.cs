using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;

namespace PowerSync.Core.Replication;

/// <summary>
/// The types of one source database, loaded from <c>pg_type</c> on demand and cached: built-in
/// types are known by OID; user-defined ones (domains, enums, composites, ranges, their arrays)
/// are loaded by <see cref="EnsureLoadedAsync"/> with every type they refer to. Lookups are
/// synchronous so decoding a row never waits for the database. Thread-safe.
/// </summary>
internal sealed class PostgresTypeCatalog
{
    private const string TypeQuery = """
        SELECT t.oid, t.typtype::text, t.typcategory::text, t.typelem, t.typbasetype, t.typrelid,
               COALESCE(e.typdelim::text, ','), r.rngsubtype, mr.rngsubtype
        FROM pg_catalog.pg_type t
        LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
        LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
        LEFT JOIN pg_catalog.pg_range mr ON mr.rngmultitypid = t.oid
        WHERE t.oid = ANY($1)
        """;

    private const string MemberQuery = """
        SELECT a.attrelid, a.attname, a.atttypid
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """;

    private static readonly FrozenDictionary<uint, PostgresTypeInfo> Builtins = CreateBuiltins();

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentDictionary<uint, PostgresTypeInfo> _loaded = new();

    public PostgresTypeCatalog(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
    }

    /// <summary>The type; built-ins are always known, user types once loaded; anything else is an unknown scalar (synced as text).</summary>
    public PostgresTypeInfo Lookup(uint oid)
    {
        if (TryBuiltin(oid) is { } builtin) return builtin;
        return _loaded.TryGetValue(oid, out var info) ? info : PostgresTypeInfo.Unknown(oid);
    }

    /// <summary>True when the OID needs no database lookup, or was loaded before.</summary>
    public bool IsKnown(uint oid) => TryBuiltin(oid) is not null || _loaded.ContainsKey(oid);

    /// <summary>Loads the given types and, transitively, every type they are built from.</summary>
    public async Task EnsureLoadedAsync(IEnumerable<uint> oids, CancellationToken cancellationToken)
    {
        var pending = oids.Where(oid => !IsKnown(oid)).Distinct().ToList();
        if (pending.Count == 0) return;

        // Concurrent loads of the same type are harmless (same result), so no lock is taken.
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                while ((pending = pending.Where(oid => !IsKnown(oid)).Distinct().ToList()).Count > 0)
                {
                    pending = await LoadRoundAsync(connection, pending, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException ex)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.SourceQueryFailed,
                $"Could not read the column types from pg_type: {ex.Message}. Check that the replication role can read pg_catalog.",
                ex);
        }
    }

    /// <summary>Loads one round of types; returns the types they refer to.</summary>
    private async Task<List<uint>> LoadRoundAsync(NpgsqlConnection connection, List<uint> oids, CancellationToken cancellationToken)
    {
        var referenced = new List<uint>();
        var composites = new Dictionary<uint, uint>(); // typrelid -> type oid
        var found = new Dictionary<uint, PostgresTypeInfo>();

        var typeCommand = new NpgsqlCommand(TypeQuery, connection);
        await using (typeCommand.ConfigureAwait(false))
        {
            var command = typeCommand;
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid, Value = oids.ToArray() });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var oid = reader.GetFieldValue<uint>(0);
                    var typtype = reader.GetString(1);
                    var category = reader.GetString(2);
                    var element = reader.GetFieldValue<uint>(3);
                    var baseType = reader.GetFieldValue<uint>(4);
                    var relation = reader.GetFieldValue<uint>(5);
                    var delimiter = reader.GetString(6);
                    var rangeSubtype = reader.IsDBNull(7) ? 0u : reader.GetFieldValue<uint>(7);
                    var multirangeSubtype = reader.IsDBNull(8) ? 0u : reader.GetFieldValue<uint>(8);

                    PostgresTypeInfo info;
                    switch (typtype)
                    {
                        case "b" when category == "A" && element != 0:
                            info = new PostgresTypeInfo(oid, PostgresTypeKind.Array, element, delimiter.Length > 0 ? delimiter[0] : ',');
                            referenced.Add(element);
                            break;
                        case "d":
                            info = new PostgresTypeInfo(oid, PostgresTypeKind.Domain, baseType);
                            referenced.Add(baseType);
                            break;
                        case "e":
                            info = new PostgresTypeInfo(oid, PostgresTypeKind.Enum);
                            break;
                        case "r":
                            info = new PostgresTypeInfo(oid, PostgresTypeKind.Range, rangeSubtype);
                            referenced.Add(rangeSubtype);
                            break;
                        case "m":
                            info = new PostgresTypeInfo(oid, PostgresTypeKind.Multirange, multirangeSubtype);
                            referenced.Add(multirangeSubtype);
                            break;
                        case "c":
                            composites[relation] = oid;
                            continue;
                        default:
                            info = PostgresTypeInfo.Unknown(oid);
                            break;
                    }
                    found[oid] = info;
                }
            }
        }

        if (composites.Count > 0)
        {
            var members = composites.Keys.ToDictionary(k => k, _ => ImmutableArray.CreateBuilder<CompositeMember>());
            var command = new NpgsqlCommand(MemberQuery, connection);
            await using var disposeCommand = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid, Value = composites.Keys.ToArray() });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var typeOid = reader.GetFieldValue<uint>(2);
                    members[reader.GetFieldValue<uint>(0)].Add(new CompositeMember(reader.GetString(1), typeOid));
                    referenced.Add(typeOid);
                }
            }

            foreach (var (relation, oid) in composites)
            {
                found[oid] = new PostgresTypeInfo(oid, PostgresTypeKind.Composite) { Members = members[relation].ToImmutable() };
            }
        }

        // OIDs that no longer exist are cached as unknown so they are not queried again.
        foreach (var oid in oids) _loaded[oid] = found.GetValueOrDefault(oid) ?? PostgresTypeInfo.Unknown(oid);
        return referenced.Where(oid => oid != 0 && !IsKnown(oid)).ToList();
    }

    private static PostgresTypeInfo? TryBuiltin(uint oid) => Builtins.GetValueOrDefault(oid);

    private static FrozenDictionary<uint, PostgresTypeInfo> CreateBuiltins()
    {
        var builtins = new Dictionary<uint, PostgresTypeInfo>();
        foreach (var oid in PostgresTypeOids.DecodedScalars) builtins[oid] = new PostgresTypeInfo(oid, PostgresTypeKind.Scalar);
        foreach (var (oid, element) in PostgresTypeOids.BuiltinArrayElements)
        {
            // box[] is the one built-in array whose elements are separated by ';'.
            builtins[oid] = new PostgresTypeInfo(oid, PostgresTypeKind.Array, element, oid == PostgresTypeOids.BoxArray ? ';' : ',');
        }
        return builtins.ToFrozenDictionary();
    }
}
