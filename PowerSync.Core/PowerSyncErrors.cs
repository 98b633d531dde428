
namespace PowerSync.Core;

/// <summary>One error code: what it means, whether waiting helps, and what to do about it.</summary>
/// <param name="Code">The stable code, e.g. <c>PSYNC_S1120</c>.</param>
/// <param name="Area">The component that raises it (Hosting, Replication, Source validation, Sync rules, Storage, Sync, Auth, Admin).</param>
/// <param name="Meaning">What happened.</param>
/// <param name="IsTransient">
/// Whether the same operation can succeed later with nobody changing anything (the source comes back, a stream
/// closes); false when something must be fixed first (configuration, rules, the request, the token).
/// </param>
/// <param name="WhatToDo">The remedy.</param>
public sealed record PowerSyncErrorInfo(string Code, string Area, string Meaning, bool IsTransient, string WhatToDo);

/// <summary>
/// Every error code PowerSync.Core raises, in one place: <see cref="PowerSyncException.Code"/>,
/// <c>SyncRulesError.Code</c> and <c>SourceValidationProblem.Code</c> values are all listed here, as literals so that
/// this root type depends on no component (a test keeps the list equal to the components' <c>*ErrorCodes</c>
/// constants, and docs/errors.md equal to the list). Codes the official PowerSync service defines
/// (<c>PSYNC_Sxxxx</c>) keep its meaning; codes of this implementation are <c>PSYNC_Nxxxx</c> and <c>PSYNC_R0001</c>.
/// </summary>
public static class PowerSyncErrors
{
    private const string Replication = "Replication";
    private const string Validation = "Source validation";
    private const string Rules = "Sync rules";
    private const string Storage = "Storage";
    private const string Sync = "Sync";
    private const string Auth = "Auth";
    private const string Hosting = "Hosting";
    private const string Admin = "Admin";

    /// <summary>Every code, grouped by area, in code order within an area.</summary>
    public static IReadOnlyList<PowerSyncErrorInfo> All { get; } =
    [
        new("PSYNC_S0001", Hosting, "The options given to AddPowerSync are invalid; the message lists every problem.", false,
            "Change each option the message names; the app does not start until they are valid."),

        new("PSYNC_N1000", Replication, "The source database is not ready for logical replication; the message lists every problem.", false,
            "Fix each listed problem. Replication checks again by itself; the app need not restart."),
        new("PSYNC_N1001", Replication, "wal_level is not 'logical'.", false,
            "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL."),
        new("PSYNC_N1002", Replication, "The role in the connection string has neither REPLICATION nor superuser.", false,
            "ALTER ROLE <role> WITH REPLICATION; or connect as a role that has it."),
        new("PSYNC_N1003", Replication, "Every replication slot (max_replication_slots) is taken.", false,
            "Drop unused slots (pg_replication_slots) or raise max_replication_slots and restart PostgreSQL."),
        new("PSYNC_N1004", Replication, "Every WAL sender (max_wal_senders) is busy.", true,
            "Stop unused replication connections or raise max_wal_senders and restart PostgreSQL; replication retries meanwhile."),
        new("PSYNC_N1005", Replication, "A published table cannot identify its rows (REPLICA IDENTITY NOTHING, or DEFAULT without a primary key); a warning.", false,
            "Add a primary key, or ALTER TABLE <table> REPLICA IDENTITY FULL; until then its updates and deletes do not replicate correctly."),
        new("PSYNC_N1006", Replication, "The publication publishes no tables; a warning.", false,
            "ALTER PUBLICATION <name> ADD TABLE <table>, ...; (or create it FOR ALL TABLES)."),
        new("PSYNC_N1007", Replication, "The Postgres server is older than the oldest supported version (14).", false,
            "Upgrade PostgreSQL."),
        new("PSYNC_N1010", Replication, "A value in the replication stream or a snapshot could not be decoded.", false,
            "Report it with the type named in the message; declare custom types in the sync rules if the message says so."),
        new("PSYNC_N1011", Replication, "The replication stream sent a message that is not valid at this point.", false,
            "Report it with the message; replication reconnects and retries meanwhile."),
        new("PSYNC_N1012", Replication, "The replication connection was silent for longer than ReplicationTimeout (a half-open connection or a frozen network path).", true,
            "Nothing: the connection is replaced. If it repeats, check the network path to Postgres or raise ReplicationTimeout."),
        new("PSYNC_N1013", Replication, "The replication connection failed or could not be opened (network error, Postgres restarting, shutting down or refusing connections).", true,
            "Nothing: replication reconnects with backoff (at most 10 s apart). If it repeats, check that Postgres is up and reachable."),
        new("PSYNC_S1101", Replication, "Replication met something it cannot explain (a bug, or an unexpected server response).", false,
            "Report it with the logged stack trace; replication retries meanwhile."),
        new("PSYNC_S1120", Replication, "A query on the source database failed (it is down, restarting or unreachable, or refused the login).", true,
            "Wait when the server is down or restarting (retried); when the message says the login or database was refused, fix the connection string."),
        new("PSYNC_S1141", Replication, "The publication does not exist.", false,
            "CREATE PUBLICATION <name> FOR TABLE ...; (or set PublicationName to the one you have)."),
        new("PSYNC_S1142", Replication, "The publication does not publish insert, update, delete and truncate.", false,
            "ALTER PUBLICATION <name> SET (publish = 'insert, update, delete, truncate');"),
        new("PSYNC_S1143", Replication, "The publication uses publish_via_partition_root.", false,
            "ALTER PUBLICATION <name> SET (publish_via_partition_root = false);"),
        new("PSYNC_S1145", Replication, "Row-level security is enabled on a published table and the role does not bypass it; a warning.", false,
            "ALTER ROLE <role> BYPASSRLS; otherwise the initial copy holds only the rows the policies allow."),
        new("PSYNC_S1146", Replication, "The replication slot was invalidated (Postgres removed WAL it needed) or dropped.", false,
            "Nothing: the rules are re-snapshotted under a new slot while the old data keeps serving. Raise max_slot_wal_keep_size if it repeats."),

        new("PSYNC_N4000", Validation, "Start-up found the sync rules and the source database disagree, and FailOnSourceValidationProblems is set; the message lists every problem.", false,
            "Fix each listed problem, or set FailOnSourceValidationProblems = false to start with warnings."),
        new("PSYNC_N4001", Validation, "A data query or stream reads a table that does not exist.", false,
            "Fix the table name in the rules (the message suggests the closest one), or create the table."),
        new("PSYNC_N4002", Validation, "A table the rules read is not in the publication (or is a view), so none of its rows replicate.", false,
            "ALTER PUBLICATION <name> ADD TABLE <table>;"),
        new("PSYNC_N4003", Validation, "A query reads a column its table does not have.", false,
            "Fix the column name in the rules (the message suggests the closest one)."),
        new("PSYNC_N4004", Validation, "A table the rules read cannot identify its rows.", false,
            "Add a primary key, or ALTER TABLE <table> REPLICA IDENTITY FULL;"),
        new("PSYNC_N4005", Validation, "A parameter query or stream subquery reads a table that does not exist, so its lookups find nothing.", false,
            "Fix the table name in the rules, or create the table."),
        new("PSYNC_N4006", Validation, "An inactive replication slot named like PowerSync's belongs to no version of this bucket store, and holds WAL.", false,
            "If no instance uses it, drop it: SELECT pg_drop_replication_slot('<slot>');"),
        new("PSYNC_N4007", Validation, "The inactive slot of one of this store's retired versions is not dropped yet.", true,
            "Nothing: it is dropped once replication runs; if it stays, drop it by hand."),

        new("PSYNC_R0001", Rules, "The sync rules have errors; the message lists each with its file, line and column.", false,
            "Fix each listed error."),
        new("PSYNC_N3001", Rules, "The YAML does not parse (indentation, quoting, duplicate keys).", false, "Fix the YAML at the line and column given."),
        new("PSYNC_N3002", Rules, "A YAML alias where the official reader does not follow it (a whole definition or stream, a list, a query, a priority), an alias to an anchor not defined before it, or an anchor aliased too often (the alias-bomb guard; see sync-rules.md).", false, "Write the value out in full."),
        new("PSYNC_N3003", Rules, "A key that is not part of the sync-rules format at this position.", false, "Remove or rename the key (the message suggests the closest one)."),
        new("PSYNC_N3004", Rules, "A value of the wrong type or out of range (edition, priority, booleans, ...).", false, "Give a value of the kind the message names."),
        new("PSYNC_N3005", Rules, "A required key is missing (e.g. data in a bucket definition).", false, "Add the key."),
        new("PSYNC_N3006", Rules, "A feature of the format that this implementation does not support yet (named in the message).", false,
            "Express the rule without it (see docs/sync-rules.md)."),
        new("PSYNC_N3101", Rules, "A SQL syntax error in a query.", false, "Fix the query at the line and column given."),
        new("PSYNC_N3102", Rules, "A SQL construct that parses but is not allowed in this kind of query.", false, "Rewrite the query as the message says."),
        new("PSYNC_N3103", Rules, "A warning about a query (e.g. lower-cased identifiers, a client-controlled parameter).", false,
            "Read the warning; change the query if it is not what you meant."),
        new("PSYNC_N3201", Rules, "Evaluating a row or request failed (e.g. comparing two blobs, invalid JSON for IN); the row is skipped and logged.", false,
            "Fix the query or the data the message names."),

        new("PSYNC_N1501", Storage, "A second writer was opened for a sync-rules version that already has one (two instances on one store file).", false,
            "Give each instance its own StoragePath."),
        new("PSYNC_N1502", Storage, "A bucket store writer was used after it failed.", true, "Nothing: replication reopens it and replays from the last durable position."),
        new("PSYNC_N1503", Storage, "The sync-rules version to write is neither processing nor active (it was replaced).", false, "Nothing: its replication stops."),
        new("PSYNC_N1504", Storage, "The bucket store file has a schema this version of PowerSync does not know (written by a newer one).", false,
            "Run the newer version, or point StoragePath at a new file (it is rebuilt from Postgres)."),
        new("PSYNC_N1505", Storage, "A LiteDB store is open in another process (LiteDB files take one process at a time).", true,
            "Stop the other process (the app, or a powersync command) first, or give each instance its own StoragePath."),
        new("PSYNC_N1506", Storage, "A write to the store waited longer than its busy timeout for another process's transaction.", true,
            "Retry; if it repeats, find the process holding the store (a long compaction, a backup tool)."),
        new("PSYNC_N1507", Storage, "Another instance holds the replication lease of the sync-rules version (Postgres store).", true,
            "Nothing: this instance serves, and takes over when that one stops renewing the lease."),
        new("PSYNC_N1508", Storage, "A writer lost its replication lease (taken over, or not renewed in time while cut off from the database).", true,
            "Nothing: another instance replicates; this one serves and can take over again later."),

        new("PSYNC_S2003", Sync, "This instance is shutting down (HTTP 503).", true, "Clients reconnect, to another instance or after the restart."),
        new("PSYNC_S2302", Sync, "No sync rules are active yet: the initial snapshot is still running, or none were deployed.", true,
            "Wait for the first checkpoint; clients retry."),
        new("PSYNC_S2304", Sync, "This instance already serves MaxConcurrentConnections sync streams (HTTP 429).", true,
            "Clients retry; add instances or raise MaxConcurrentConnections."),
        new("PSYNC_S2305", Sync, "A connection would sync more buckets (or parameter results) than allowed.", false,
            "Narrow the sync rules for such users, or raise MaxBucketsPerConnection."),
        new("PSYNC_N2307", Sync, "A client-supplied write checkpoint id is out of range (HTTP 400).", false, "Fix the client; ids are positive 64-bit integers."),
        new("PSYNC_N2308", Sync, "A client's write checkpoint id would pass 2^63-1 (HTTP 409).", false, "The client must use a new client id."),
        new("PSYNC_N2401", Sync, "The request body is not a valid sync request (HTTP 400); the message names the field.", false, "Fix the client's request."),
        new("PSYNC_N2402", Sync, "The request body is larger than MaxRequestBodyBytes (HTTP 413).", false, "Send fewer buckets, or raise MaxRequestBodyBytes."),
        new("PSYNC_N2403", Sync, "More distinct stream subscriptions than one request may hold (HTTP 400).", false,
            "Subscribe to fewer streams per connection, or raise MaxSubscriptionsPerConnection."),
        new("PSYNC_N2404", Sync, "The user already has MaxStreamsPerUser sync streams open on this instance (HTTP 429).", true,
            "Close a stream first; it succeeds once one closes."),
        new("PSYNC_N2405", Sync, "This instance only replicates (Role ReplicateOnly) and serves no sync clients (HTTP 503).", true,
            "Route sync clients to instances with the role ServeAndReplicate or ServeOnly."),

        new("PSYNC_S2101", Auth, "The token is malformed, misses a required claim, uses an unsupported algorithm, is not valid yet (nbf, iat) or comes from an issuer not in Auth.Issuers (HTTP 401).", false,
            "Fix what the message names in the tokens you issue (or the issuing service's clock)."),
        new("PSYNC_S2102", Auth, "The token's signature could not be verified (unknown kid, or no key matches) (HTTP 401).", false,
            "Sign with a key in Auth.Jwks / Auth.JwksUris, with its kid."),
        new("PSYNC_S2103", Auth, "The token has expired (HTTP 401).", false, "The client fetches a new token."),
        new("PSYNC_S2104", Auth, "The token lives longer than Auth.MaxLifetime (exp - iat) (HTTP 401).", false, "Issue shorter-lived tokens, or raise MaxLifetime."),
        new("PSYNC_S2105", Auth, "The token's audience is not one in Auth.Audiences (HTTP 401).", false, "Issue tokens for an audience in Auth.Audiences."),
        new("PSYNC_S2106", Auth, "No token, or an Authorization header that is not 'Token <jwt>' or 'Bearer <jwt>' (HTTP 401).", false, "Send the token in the Authorization header."),
        new("PSYNC_S2201", Auth, "The auth configuration is unusable (a bad key, a bad option).", false, "Fix the key or option the message names."),
        new("PSYNC_S2204", Auth, "Fetching the JWKS failed and no cached keys can verify the token (HTTP 401).", true,
            "Check that the JWKS URI answers; keys are fetched again."),

        new("PSYNC_N5001", Admin, "An administration call needs a setting the options do not have, or the settings contradict each other (the message names them).", false,
            "Give the setting (a powersync flag, or the PowerSync section of --config)."),
        new("PSYNC_N5002", Admin, "The bucket store file does not exist.", false, "Point --store (StoragePath) at the app's store; the app creates it on its first start."),
        new("PSYNC_N5003", Admin, "The bucket store file cannot be opened with the chosen engine (not a store, or written by the other engine).", false,
            "Check the path and --engine; the file is left untouched."),
        new("PSYNC_N5004", Admin, "A preview's claims or client parameters are not a JSON object, or the claims name another user.", false, "Pass JSON objects (--claims, --params)."),
        new("PSYNC_N5005", Admin, "A development token cannot be made as asked (key shorter than 32 bytes, bad lifetime or claims).", false, "Fix what the message names."),
        new("PSYNC_N5006", Admin, "The sync rules file cannot be read.", false, "Check the path (--rules, SyncRulesPath) and its permissions."),
    ];

    private static readonly Dictionary<string, PowerSyncErrorInfo> ByCode = All.ToDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>The entry for <paramref name="code"/>, or null for a code PowerSync.Core does not raise.</summary>
    public static PowerSyncErrorInfo? Find(string code) => ByCode.GetValueOrDefault(code);
}
