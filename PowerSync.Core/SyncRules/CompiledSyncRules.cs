using PowerSync.Core.SyncRules.Queries;
using PowerSync.Core.SyncRules.Streams;

namespace PowerSync.Core.SyncRules;

/// <summary>The result of compiling a <see cref="Yaml.SyncRulesDocument"/>: compiled definitions and streams plus every error and warning.</summary>
/// <param name="Config">The compatibility switches the queries were compiled with.</param>
/// <param name="Definitions">Bucket definitions that compiled without errors, in YAML order.</param>
/// <param name="Streams">Sync Streams that compiled without errors, in YAML order.</param>
/// <param name="Problems">Every problem found reading and compiling, in document order.</param>
/// <param name="References">The source tables the compiled queries read, with their columns and positions.</param>
internal sealed record CompiledSyncRules(
    SyncRulesConfig Config,
    IReadOnlyList<BucketDefinition> Definitions,
    IReadOnlyList<SyncStream> Streams,
    IReadOnlyList<SyncRulesError> Problems,
    IReadOnlyList<SourceTableReference> References);
