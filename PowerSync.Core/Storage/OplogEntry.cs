namespace PowerSync.Core.Storage;

/// <summary>
/// One op of a bucket as sessions stream it. PUT carries data; PUT/REMOVE carry the row identity;
/// MOVE/CLEAR carry only op id and checksum. <paramref name="TargetOp"/> is set on compacted ops: when
/// it is beyond the checkpoint being sent, compaction crossed that checkpoint. Text is held as UTF-8,
/// as the store keeps it and the sync line sends it: serving never turns it into .NET strings.
/// </summary>
internal sealed record OplogEntry(
    OpId OpId,
    OpType Op,
    byte[]? ObjectType,
    byte[]? ObjectId,
    byte[]? Subkey,
    byte[]? Data,
    uint Checksum,
    OpId? TargetOp)
{
    /// <summary>An op from .NET strings (stores that keep strings, tests).</summary>
    public static OplogEntry FromText(OpId opId, OpType op, string? objectType, string? objectId, string? subkey, string? data, uint checksum, OpId? targetOp) =>
        new(opId, op, Utf8(objectType), Utf8(objectId), Utf8(subkey), Utf8(data), checksum, targetOp);

    public string? ObjectTypeText => Text(ObjectType);

    public string? ObjectIdText => Text(ObjectId);

    public string? SubkeyText => Text(Subkey);

    public string? DataText => Text(Data);

    private static byte[]? Utf8(string? text) => text is null ? null : System.Text.Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? utf8) => utf8 is null ? null : System.Text.Encoding.UTF8.GetString(utf8);
}
