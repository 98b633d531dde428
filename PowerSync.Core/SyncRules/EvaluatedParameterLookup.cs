namespace PowerSync.Core.SyncRules;

/// <summary>
/// One parameter-lookup entry for a replicated row of a parameter table. <see cref="Lookup"/> is a
/// canonical key (a JSON array: definition, query index, lookup values); the request side builds the
/// identical string, so storage matches by exact string equality. <see cref="Parameters"/> is a JSON
/// array of the bucket-parameter objects the row contributes (e.g. <c>[{"org_id":"o1"}]</c>).
/// </summary>
public sealed record EvaluatedParameterLookup(string Lookup, string Parameters);
