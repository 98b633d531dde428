namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// The YAML tag <c>!accept_potentially_dangerous_queries</c>, accepted as the official parser accepts it:
/// it registers the tag for scalars only, resolving a tagged scalar to a JavaScript symbol whose text is
/// <c>Symbol(ACCEPT_POTENTIALLY_DANGEROUS_QUERIES)</c>. On a mapping or a sequence the tag changes nothing;
/// a tagged scalar, key or value, reads as that text (a tagged query is a syntax error, a tagged boolean or
/// priority is invalid, a tagged definition name is that name). It does not accept anything: that is the
/// <c>accept_potentially_dangerous_queries: true</c> key.
/// </summary>
internal static class DangerousQueriesTag
{
    public const string Tag = "!accept_potentially_dangerous_queries";

    /// <summary>What a tagged scalar reads as (JavaScript's <c>String(symbol)</c>).</summary>
    public const string SymbolText = "Symbol(ACCEPT_POTENTIALLY_DANGEROUS_QUERIES)";
}
