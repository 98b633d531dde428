namespace PowerSync.Core.SyncRules;

/// <summary>Stable error codes of the sync-rules component (<see cref="SyncRulesError.Code"/>, <see cref="PowerSyncException.Code"/>).</summary>
public static class SyncRulesErrorCodes
{
    /// <summary>The rule set has errors; <see cref="SyncRulesException.Errors"/> lists them all.</summary>
    public const string InvalidSyncRules = "PSYNC_R0001";

    /// <summary>The YAML itself does not parse (indentation, quoting, duplicate keys).</summary>
    public const string YamlSyntax = "PSYNC_R1001";

    /// <summary>A YAML alias, anchor or tag: not accepted (the official service rejects them too).</summary>
    public const string YamlAliasOrTag = "PSYNC_R1002";

    /// <summary>A key that is not part of the sync-rules format at this position.</summary>
    public const string UnknownKey = "PSYNC_R1003";

    /// <summary>A value of the wrong type or out of range (edition, priority, booleans...).</summary>
    public const string InvalidValue = "PSYNC_R1004";

    /// <summary>A required key is missing (e.g. <c>data</c> in a bucket definition).</summary>
    public const string MissingKey = "PSYNC_R1005";

    /// <summary>A feature of the format that this implementation does not support yet (named in the message).</summary>
    public const string NotSupported = "PSYNC_R1006";

    /// <summary>A SQL syntax error.</summary>
    public const string SqlSyntax = "PSYNC_R2001";

    /// <summary>A SQL construct that parses but is not allowed in this kind of query.</summary>
    public const string SqlInvalid = "PSYNC_R2002";

    /// <summary>A warning about a query (lower-cased identifiers, client-controlled parameters...).</summary>
    public const string SqlWarning = "PSYNC_R2003";

    /// <summary>Evaluating a row or request failed (e.g. comparing two blobs, invalid JSON for IN).</summary>
    public const string EvaluationFailed = "PSYNC_R3001";
}
