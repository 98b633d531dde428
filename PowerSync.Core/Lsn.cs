using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PowerSync.Core;

/// <summary>
/// A Postgres write-ahead-log position (log sequence number). Ordered; printed the way Postgres
/// prints it (<c>16/B374D848</c>) and, for storage where text must sort like the value, as the
/// zero-padded form the PowerSync service compares (<c>00000016/B374D848</c>).
/// </summary>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>, ISpanFormattable
{
    /// <summary>The invalid/zero position (<c>0/0</c>); never acknowledged to Postgres.</summary>
    public static readonly Lsn Zero = new(0);

    /// <summary>The later of two positions.</summary>
    public static Lsn Max(Lsn a, Lsn b) => a.Value >= b.Value ? a : b;

    /// <summary>True for <c>0/0</c>.</summary>
    public bool IsZero => Value == 0;

    /// <summary>Parses <c>X/X</c> with one to eight hex digits on each side.</summary>
    /// <exception cref="FormatException">The text is not an LSN; the message shows the expected form.</exception>
    public static Lsn Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var lsn)
            ? lsn
            : throw new FormatException($"'{text}' is not a Postgres LSN: expected two hexadecimal numbers of 1-8 digits separated by '/', e.g. '16/B374D848'.");
    }

    /// <summary>Parses <c>X/X</c>; false when the text is not an LSN.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Lsn lsn)
    {
        lsn = Zero;
        if (text is null) return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash is < 1 or > 8 || text.Length - slash - 1 is < 1 or > 8) return false;
        if (!uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }
        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    /// <summary>Zero-padded <c>XXXXXXXX/XXXXXXXX</c>: ordinal text order equals LSN order.</summary>
    public string ToComparableString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X8}/{(uint)Value:X8}");

    /// <inheritdoc />
    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    /// <summary>Postgres' own form, e.g. <c>16/B374D848</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X}/{(uint)Value:X}");

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X}/{(uint)Value:X}", out charsWritten);

    /// <summary>Orders LSNs.</summary>
    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator <=(Lsn left, Lsn right) => left.Value <= right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator >=(Lsn left, Lsn right) => left.Value >= right.Value;
}
