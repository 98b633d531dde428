namespace PowerSync.Core.Storage;

/// <summary>The four operations of a bucket's history (values are stored: never renumber).</summary>
internal enum OpType : byte
{
    /// <summary>The row (object_type, object_id, subkey) now has this data.</summary>
    Put = 1,

    /// <summary>The row left the bucket.</summary>
    Remove = 2,

    /// <summary>A compacted op superseded by a later one; keeps only its checksum.</summary>
    Move = 3,

    /// <summary>A compacted prefix: the client drops what it had; checksum = sum of what it replaced.</summary>
    Clear = 4,
}

internal static class OpTypeExtensions
{
    /// <summary>The protocol's name of the op.</summary>
    public static string WireName(this OpType op) => op switch
    {
        OpType.Put => "PUT",
        OpType.Remove => "REMOVE",
        OpType.Move => "MOVE",
        OpType.Clear => "CLEAR",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown op type."),
    };
}
