namespace PowerSync.Core.SyncRules;

/// <summary>The parameter-lookup entries of one replicated row, plus per-query evaluation errors.</summary>
/// <param name="Lookups">The lookup entries, as <see cref="SyncRulesSet.EvaluateParameterRow(string, string, IReadOnlyDictionary{string, SqliteValue})"/> returns them.</param>
/// <param name="Errors">Queries that could not evaluate the row (they index nothing for it).</param>
public sealed record ParameterRowEvaluationResult(IReadOnlyList<EvaluatedParameterLookup> Lookups, IReadOnlyList<EvaluationError> Errors);
