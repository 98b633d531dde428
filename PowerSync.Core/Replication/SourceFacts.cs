using System.Collections.Immutable;

namespace PowerSync.Core.Replication;

/// <summary>What the source check reads from Postgres; evaluated by <see cref="PostgresSourceChecker.Evaluate"/>.</summary>
internal sealed record SourceFacts
{
    public required int ServerVersionNum { get; init; }
    public required string WalLevel { get; init; }
    public required int MaxReplicationSlots { get; init; }
    public required int UsedReplicationSlots { get; init; }
    public required bool SlotExists { get; init; }
    public required int MaxWalSenders { get; init; }
    public required int UsedWalSenders { get; init; }
    public required string RoleName { get; init; }
    public required bool RoleCanReplicate { get; init; }
    public required bool RoleBypassesRls { get; init; }
    public required PublicationFacts? Publication { get; init; }
    public ImmutableArray<PublishedTableFacts> Tables { get; init; } = [];
}

/// <summary>A row of <c>pg_publication</c>.</summary>
internal sealed record PublicationFacts(bool Insert, bool Update, bool Delete, bool Truncate, bool ViaRoot);

/// <summary>A published table: its replica identity (<c>d</c>, <c>n</c>, <c>f</c>, <c>i</c>) and what backs it.</summary>
internal sealed record PublishedTableFacts(
    string Schema, string Name, char ReplicaIdentity, bool HasPrimaryKey, bool HasReplicaIdentityIndex, bool RowSecurity, bool CanSelect)
{
    public string QualifiedName => $"\"{Schema}\".\"{Name}\"";
}
