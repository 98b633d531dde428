namespace PowerSync.Core.SyncRules;

/// <summary>
/// One bucket entry for a replicated row: bucket id, output table (object_type), row id (object_id)
/// and the exact data JSON text clients receive.
/// </summary>
public sealed record EvaluatedRow(string Bucket, string ObjectType, string ObjectId, string Data);
