namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>
/// Sync-rules YAML as written, before any SQL is compiled: the config, every bucket definition and
/// stream with its queries (the SQL text and where each of its characters stands in the YAML), and the
/// problems found reading them. Each problem stays with the part of the document it was found in, so
/// that compiling the document reports reading and compile problems together, in document order.
/// </summary>
/// <param name="Config">The compatibility switches of <c>config:</c> (edition 1 defaults without it).</param>
/// <param name="Problems">Problems of the document as a whole: YAML syntax, top-level keys, <c>config:</c>, unsupported sections.</param>
/// <param name="BucketDefinitions">The <c>bucket_definitions:</c> entries.</param>
/// <param name="Streams">The <c>streams:</c> entries.</param>
internal sealed record SyncRulesDocument(
    SyncRulesConfig Config,
    IReadOnlyList<SyncRulesError> Problems,
    DocumentSection<BucketDefinitionEntry> BucketDefinitions,
    DocumentSection<StreamEntry> Streams)
{
    /// <summary>The payload queries of <c>event_definitions:</c> (checked, not evaluated), with the section's problems.</summary>
    public DocumentSection<SqlSource> EventPayloads { get; init; } = DocumentSection<SqlSource>.Empty;

    /// <summary>
    /// The problem the official reader's final check over the whole document (aliases followed) finds, if any. It is an
    /// error only when reading and compiling found no other error, as officially.
    /// </summary>
    public SyncRulesError? FinalCheckProblem { get; init; }

    /// <summary>Edition 3: the top-level <c>with</c> (common table expressions every stream sees).</summary>
    public IReadOnlyList<CteEntry> GlobalWith { get; init; } = [];

    /// <summary>A document with nothing to compile (empty, or not readable as sync rules).</summary>
    public static SyncRulesDocument Empty(SyncRulesConfig config, IReadOnlyList<SyncRulesError> problems) =>
        new(config, problems, DocumentSection<BucketDefinitionEntry>.Empty, DocumentSection<StreamEntry>.Empty);
}

/// <summary>
/// A list of the document (<c>bucket_definitions</c>, <c>streams</c>, a definition's <c>parameters</c> or
/// <c>data</c>): its entries, and the problems of the list itself, which come before those of its entries.
/// </summary>
internal sealed record DocumentSection<T>(IReadOnlyList<SyncRulesError> Problems, IReadOnlyList<T> Entries)
{
    public static DocumentSection<T> Empty { get; } = new([], []);
}

/// <summary>One <c>bucket_definitions</c> entry as written.</summary>
/// <param name="Name">The definition's name (its key).</param>
/// <param name="Priority"><c>priority:</c>, 3 when absent or invalid.</param>
/// <param name="AcceptPotentiallyDangerousQueries"><c>accept_potentially_dangerous_queries: true</c>.</param>
/// <param name="UnknownKeys">Keys the definition does not know: reported, then ignored (they do not reject the definition).</param>
/// <param name="Problems">Problems that reject the definition: its shape, <c>priority</c>, <c>accept_potentially_dangerous_queries</c>.</param>
/// <param name="Parameters">The <c>parameters:</c> queries.</param>
/// <param name="Data">The <c>data:</c> queries; a missing <c>data:</c> is a problem of this section.</param>
internal sealed record BucketDefinitionEntry(
    string Name,
    int Priority,
    bool AcceptPotentiallyDangerousQueries,
    IReadOnlyList<SyncRulesError> UnknownKeys,
    IReadOnlyList<SyncRulesError> Problems,
    DocumentSection<SqlSource> Parameters,
    DocumentSection<SqlSource> Data)
{
    /// <summary>Whether <c>priority:</c> is written (a parameter query may then not set <c>_priority</c> too).</summary>
    public bool HasPriority { get; init; }
}

/// <summary>One <c>streams</c> entry as written.</summary>
/// <param name="Name">The stream's name (its key).</param>
/// <param name="NameLine">YAML line of the name.</param>
/// <param name="NameColumn">YAML column of the name.</param>
/// <param name="Problems">Problems of the entry: its shape, keys and values.</param>
/// <param name="AutoSubscribe"><c>auto_subscribe: true</c>.</param>
/// <param name="Priority"><c>priority:</c>, 3 when absent or invalid.</param>
/// <param name="Query">The <c>query:</c>, or null when the entry has none.</param>
internal sealed record StreamEntry(
    string Name,
    int NameLine,
    int NameColumn,
    IReadOnlyList<SyncRulesError> Problems,
    bool AutoSubscribe,
    int Priority,
    SqlSource? Query)
{
    /// <summary>Edition 3: every query of the stream (<c>query</c> or <c>queries</c>).</summary>
    public IReadOnlyList<SqlSource> Queries { get; init; } = Query is null ? [] : [Query];

    /// <summary>Edition 3: the stream's own <c>with</c>, which shadows the global one.</summary>
    public IReadOnlyList<CteEntry> With { get; init; } = [];

    /// <summary><c>accept_potentially_dangerous_queries: true</c> (edition 3 warns otherwise).</summary>
    public bool AcceptPotentiallyDangerousQueries { get; init; }
}

/// <summary>One common table expression of a <c>with</c>: its name, where the name stands, and its SELECT.</summary>
internal sealed record CteEntry(string Name, int Line, int Column, SqlSource Query);
