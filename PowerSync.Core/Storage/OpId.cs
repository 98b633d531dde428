using System.Globalization;

namespace PowerSync.Core.Storage;

/// <summary>
/// Position in the single, strictly increasing op sequence shared by every bucket. A client's
/// <c>after</c> and a checkpoint's <c>last_op_id</c> are op ids; on the wire they are decimal strings.
/// </summary>
internal readonly record struct OpId(long Value) : IComparable<OpId>
{
    public static readonly OpId Zero = new(0);

    public int CompareTo(OpId other) => Value.CompareTo(other.Value);

    public static bool operator <(OpId left, OpId right) => left.Value < right.Value;
    public static bool operator >(OpId left, OpId right) => left.Value > right.Value;
    public static bool operator <=(OpId left, OpId right) => left.Value <= right.Value;
    public static bool operator >=(OpId left, OpId right) => left.Value >= right.Value;

    public static OpId Max(OpId a, OpId b) => a.Value >= b.Value ? a : b;

    /// <summary>The wire form: base-10 digits.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses the wire form; negative or non-numeric text is rejected.</summary>
    public static bool TryParse(string? text, out OpId opId)
    {
        var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        opId = ok ? new OpId(value) : Zero;
        return ok;
    }
}
