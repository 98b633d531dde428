namespace PowerSync.Core.Hosting;

/// <summary>What the embedded bucket store is built on.</summary>
public enum BucketStorageEngine
{
    /// <summary>SQLite in WAL mode (the default): one writer per sync-rules version and concurrent readers.</summary>
    Sqlite,

    /// <summary>LiteDB: a managed single-file store; passes the same conformance suite, appends about ten times slower.</summary>
    LiteDb,

    /// <summary>
    /// A schema in a Postgres database (the source database or another), shared by every app instance pointing at it:
    /// one instance replicates, all serve, clients may reconnect to any.
    /// </summary>
    Postgres,
}
