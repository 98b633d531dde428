namespace PowerSync.Tool;

/// <summary>The help texts.</summary>
internal static class Usage
{
    private const string Settings = """
        Where to look (flags override --config):
          --config <appsettings.json>  read the "PowerSync" section: SourceConnectionString (else
                                       ConnectionStrings:PowerSync), SyncRulesPath, StoragePath, StorageEngine,
                                       PublicationName; relative paths are relative to the file's folder
          --connection <string>        the source Postgres connection string
          --rules <file>               the sync rules YAML
          --store <file>               the bucket store file (StoragePath)
          --engine sqlite|litedb       the bucket store's engine (default sqlite)
          --publication <name>         the publication replication uses (default powersync)
        """;

    public const string General = $"""
        powersync: check and inspect a PowerSync deployment (PowerSync for .NET).

        Usage: powersync <command> [options]

        Commands:
          validate   check the sync rules against the live source database
          preview    which buckets, and how many rows, a user would receive
          status     the bucket store's versions, its replication slots, lag and size
          compact    compact the bucket store's op history
          token      make a development token (HS256), or print its JWK Set

        Every command takes --json (one JSON document on stdout) and --help.
        Exit codes: 0 success; 1 problems found (validate, status); 2 bad arguments; 3 the command failed.

        {Settings}
        """;

    public static string For(string command) => command switch
    {
        "validate" => $"""
            Usage: powersync validate [--config <file>] [--connection <string>] [--rules <file>] [--store <file>] [--strict] [--json]

            Checks the sync rules against the live source database: rule errors (file:line:column), whether the
            source can be replicated from (wal_level, publication, role, slots), and every table, column, replica
            identity and parameter table the rules use (PSYNC_N4001-N4005); with --store, inactive slots that are
            not this store's (PSYNC_N4006) or its retired versions' (PSYNC_N4007).
            Exits 1 when there are errors (what would stop an app with FailOnSourceValidationProblems);
            with --strict, also when there are warnings.

            {Settings}
            """,
        "preview" => $$"""
            Usage: powersync preview --user <id> [--claims <json>] [--params <json>] [--config <file>] [--connection <string>] [--rules <file>] [--store <file>] [--json]

            Which buckets a user would receive and how many rows each holds, evaluated against the source database
            as it is now, the way replication and a sync request evaluate them (the rules need not be deployed).
            Reads every row of the published tables the rules read, in chunks.
              --user <id>       the token's sub (request.user_id())
              --claims <json>   further JWT claims, e.g. '{"role":"admin"}' (request.jwt())
              --params <json>   the client's connection parameters (request.parameters())
            With --store, versioned bucket ids get the prefix of the store's version of these rules.

            {{Settings}}
            """,
        "status" => $"""
            Usage: powersync status --store <file> [--connection <string>] [--engine sqlite|litedb] [--config <file>] [--json]

            The bucket store's sync-rules versions (state, snapshot, checkpoint), its size on disk, and, with a
            connection, each version's replication slot: streaming or not, confirmed position, retained WAL, lag.
            Exits 1 when the source cannot be queried. A LiteDB store cannot be read while the app has it open.

            {Settings}
            """,
        "compact" => $"""
            Usage: powersync compact --store <file> [--engine sqlite|litedb] [--config <file>] [--json]

            Compacts the active version up to its latest checkpoint: superseded PUT/REMOVE ops become MOVE, each
            bucket's leading run of non-PUT ops becomes one CLEAR; no checksum changes. A SQLite store can be
            compacted while the app runs (each short transaction waits up to 60 s for the app's); a LiteDB store
            only while no other process has it open.

            {Settings}
            """,
        "token" => """
            Usage: powersync token --user <id> --key <secret> [--audience <aud>] [--expires <duration>] [--claims <json>] [--kid <id>] [--json]
                   powersync token --jwks --key <secret> [--kid <id>]

            Makes a development token: an HS256 JWT for the user, signed with the secret (at least 32 bytes),
            printed alone on stdout. --jwks prints the secret as a JWK Set instead, to give PowerSync as Auth.Jwks.
              --audience <aud>       the token's aud (default powersync)
              --expires <duration>   lifetime: 90s, 30m, 1h, 7d (default 1h; PowerSync accepts up to Auth.MaxLifetime, 1 day by default)
              --claims <json>        further claims, e.g. '{"role":"admin"}'
              --kid <id>             a key id in the token and the JWK
            """,
        _ => General,
    };
}
