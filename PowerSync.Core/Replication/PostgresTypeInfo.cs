using System.Collections.Immutable;

namespace PowerSync.Core.Replication;

/// <summary>What a Postgres type is, as far as value mapping cares.</summary>
internal enum PostgresTypeKind
{
    /// <summary>A type the mapper knows by OID, or one whose text is synced as is.</summary>
    Scalar,

    /// <summary>An array; <see cref="PostgresTypeInfo.InnerOid"/> is the element type.</summary>
    Array,

    /// <summary>A domain; <see cref="PostgresTypeInfo.InnerOid"/> is the base type.</summary>
    Domain,

    /// <summary>A composite (row) type; see <see cref="PostgresTypeInfo.Members"/>.</summary>
    Composite,

    /// <summary>A range; <see cref="PostgresTypeInfo.InnerOid"/> is the subtype.</summary>
    Range,

    /// <summary>A multirange; <see cref="PostgresTypeInfo.InnerOid"/> is the range's subtype.</summary>
    Multirange,

    /// <summary>An enum (synced as its label).</summary>
    Enum,
}

/// <summary>One field of a composite type.</summary>
internal sealed record CompositeMember(string Name, uint TypeOid);

/// <summary>A Postgres type as loaded from <c>pg_type</c> (or known by OID).</summary>
internal sealed record PostgresTypeInfo(uint Oid, PostgresTypeKind Kind, uint InnerOid = 0, char Delimiter = ',')
{
    /// <summary>Composite members in attribute order (empty for other kinds).</summary>
    public ImmutableArray<CompositeMember> Members { get; init; } = [];

    /// <summary>A type nothing is known about: its text is synced as is.</summary>
    public static PostgresTypeInfo Unknown(uint oid) => new(oid, PostgresTypeKind.Scalar);
}
