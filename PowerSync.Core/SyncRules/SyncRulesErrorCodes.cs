namespace PowerSync.Core.SyncRules;

/// <summary>Stable error codes of the sync-rules component (<see cref="SyncRulesError.Code"/>, <see cref="PowerSyncException.Code"/>).</summary>
public static class SyncRulesErrorCodes
{
    /// <summary>The rule set has errors; <see cref="SyncRulesException.Errors"/> lists them all.</summary>
    public const string InvalidSyncRules = "PSYNC_R0001";

    /// <summary>The YAML itself does not parse (indentation, quoting, duplicate keys).</summary>
    public const string YamlSyntax = "PSYNC_N3001";

    /// <summary>
    /// A YAML alias where the official reader does not follow it (a whole definition or stream, a list, a query, a
    /// priority), an alias to an anchor not defined before it, or an anchor aliased too often (the alias-bomb guard).
    /// Tags are accepted (the name is kept for compatibility).
    /// </summary>
    public const string YamlAliasOrTag = "PSYNC_N3002";

    /// <summary>A key that is not part of the sync-rules format at this position.</summary>
    public const string UnknownKey = "PSYNC_N3003";

    /// <summary>A value of the wrong type or out of range (edition, priority, booleans...).</summary>
    public const string InvalidValue = "PSYNC_N3004";

    /// <summary>A required key is missing (e.g. <c>data</c> in a bucket definition).</summary>
    public const string MissingKey = "PSYNC_N3005";

    /// <summary>A feature of the format that this implementation does not support yet (named in the message).</summary>
    public const string NotSupported = "PSYNC_N3006";

    /// <summary>A SQL syntax error.</summary>
    public const string SqlSyntax = "PSYNC_N3101";

    /// <summary>A SQL construct that parses but is not allowed in this kind of query.</summary>
    public const string SqlInvalid = "PSYNC_N3102";

    /// <summary>A warning about a query (lower-cased identifiers, client-controlled parameters...).</summary>
    public const string SqlWarning = "PSYNC_N3103";

    /// <summary>Evaluating a row or request failed (e.g. comparing two blobs, invalid JSON for IN).</summary>
    public const string EvaluationFailed = "PSYNC_N3201";
}
