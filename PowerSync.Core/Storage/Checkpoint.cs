namespace PowerSync.Core.Storage;

/// <summary>
/// A consistent point clients can sync to: every op of sync-rules version <paramref name="RulesVersion"/>
/// up to <paramref name="OpId"/>, reflecting the source up to <paramref name="Lsn"/>. Written in the
/// same storage transaction as its last ops; never splits a source transaction.
/// </summary>
internal readonly record struct Checkpoint(long RulesVersion, OpId OpId, Lsn Lsn);
