using System.Collections.Immutable;

namespace PowerSync.Core.Replication;

/// <summary>
/// One decoded pgoutput message, copied out of Npgsql's buffers (safe to keep). The derived records are
/// the whole vocabulary of the stream; <see cref="WalEnd"/> is the server's WAL end when it was sent.
/// </summary>
internal abstract record ReplicationChange(Lsn WalStart, Lsn WalEnd);

/// <summary>A source transaction begins; <see cref="FinalLsn"/> is the LSN its commit will have.</summary>
internal sealed record TransactionBegin(Lsn WalStart, Lsn WalEnd, Lsn FinalLsn, DateTime CommitTimestamp, uint TransactionId)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>A source transaction committed; resume after <see cref="EndLsn"/> to skip it.</summary>
internal sealed record TransactionCommit(Lsn WalStart, Lsn WalEnd, Lsn CommitLsn, Lsn EndLsn, DateTime CommitTimestamp)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>The (new) definition of a table: sent before its first change in a session and after every schema change.</summary>
internal sealed record RelationDefinition(Lsn WalStart, Lsn WalEnd, SourceRelation Relation)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>What the old row of an update or delete carries.</summary>
internal enum OldRowKind
{
    /// <summary>No old row was sent (an update that kept the key, or REPLICA IDENTITY NOTHING).</summary>
    None,

    /// <summary>Only the replica identity columns are set; other columns are NULL.</summary>
    Key,

    /// <summary>Every column (REPLICA IDENTITY FULL).</summary>
    Full,
}

/// <summary>A row was inserted.</summary>
internal sealed record RowInsert(Lsn WalStart, Lsn WalEnd, SourceRelation Relation, ReplicatedRow NewRow)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>
/// A row was updated. <see cref="OldRow"/> is present when the key changed (<see cref="OldRowKind.Key"/>)
/// or the table has REPLICA IDENTITY FULL; the new row may hold unchanged TOAST markers.
/// </summary>
internal sealed record RowUpdate(Lsn WalStart, Lsn WalEnd, SourceRelation Relation, ReplicatedRow NewRow, ReplicatedRow? OldRow, OldRowKind OldRowKind)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>A row was deleted; <see cref="OldRow"/> holds its key (or all columns with REPLICA IDENTITY FULL).</summary>
internal sealed record RowDelete(Lsn WalStart, Lsn WalEnd, SourceRelation Relation, ReplicatedRow OldRow, OldRowKind OldRowKind)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>One or more tables were truncated together.</summary>
internal sealed record TableTruncate(Lsn WalStart, Lsn WalEnd, ImmutableArray<SourceRelation> Relations, bool Cascade, bool RestartIdentity)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>A <c>pg_logical_emit_message</c> (e.g. the <c>powersync</c> keepalive); non-transactional ones arrive outside transactions.</summary>
internal sealed record LogicalMessage(Lsn WalStart, Lsn WalEnd, Lsn MessageLsn, bool Transactional, string Prefix, ImmutableArray<byte> Content)
    : ReplicationChange(WalStart, WalEnd);

/// <summary>
/// The source reported how far it has decoded its WAL (a primary keepalive): every transaction that
/// committed before <see cref="Position"/> has been streamed before this record. Safe to acknowledge
/// once no source transaction is open and everything received before it is durable; it may lie in the
/// middle of a transaction that is still being sent, so it never stands for a transaction boundary.
/// </summary>
internal sealed record SourcePosition(Lsn Position) : ReplicationChange(Position, Position);
