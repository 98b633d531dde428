namespace PowerSync.Core.SyncRules;

/// <summary>
/// One bucket entry for a replicated row: bucket id, output table (object_type), row id (object_id)
/// and the exact data JSON text clients receive.
/// </summary>
public sealed record EvaluatedRow(string Bucket, string ObjectType, string ObjectId, string Data)
{
    /// <summary>
    /// The row's output columns as typed values, in the order of <see cref="Data"/> (the columns <see cref="Data"/>
    /// leaves out, BLOBs and undefined values, are left out here too); null unless asked for with
    /// <see cref="SyncRulesSet.EvaluateRow(string, string, IReadOnlyDictionary{string, SqliteValue}, bool)"/>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, SqliteValue>>? Values { get; init; }
}
