using System.Collections.Immutable;

namespace PowerSync.Core.Replication;

/// <summary>How a table identifies the old row of an update or delete (<c>ALTER TABLE ... REPLICA IDENTITY</c>).</summary>
internal enum ReplicaIdentityKind
{
    /// <summary>The primary key (or nothing, when there is none).</summary>
    Default,

    /// <summary>No old row at all.</summary>
    Nothing,

    /// <summary>Every column of the old row.</summary>
    Full,

    /// <summary>The columns of the index chosen with <c>USING INDEX</c>.</summary>
    Index,
}

/// <summary>One column as pgoutput describes it.</summary>
/// <param name="Name">Column name.</param>
/// <param name="TypeOid">The column's type (a domain's own OID, not its base type).</param>
/// <param name="TypeModifier">The type modifier (<c>atttypmod</c>), -1 when none.</param>
/// <param name="IsKey">Part of the replica identity.</param>
internal sealed record SourceColumn(string Name, uint TypeOid, int TypeModifier, bool IsKey);

/// <summary>A published table as of the last Relation message the stream sent for it.</summary>
internal sealed record SourceRelation(
    uint RelationId, string Schema, string Name, ReplicaIdentityKind ReplicaIdentity, ImmutableArray<SourceColumn> Columns)
{
    /// <summary>The replica identity columns, in column order (all columns with REPLICA IDENTITY FULL, none with NOTHING).</summary>
    public ImmutableArray<SourceColumn> KeyColumns { get; } = [.. Columns.Where(c => c.IsKey)];

    /// <summary><c>"schema"."name"</c>.</summary>
    public string QualifiedName => $"{Quote(Schema)}.{Quote(Name)}";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The ordinal of a column, or -1.</summary>
    public int IndexOf(string columnName)
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            if (string.Equals(Columns[i].Name, columnName, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
