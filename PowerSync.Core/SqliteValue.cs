using System.Globalization;
using System.Numerics;

namespace PowerSync.Core;

/// <summary>The five SQLite storage classes, which is all a synced value can be.</summary>
public enum SqliteType : byte
{
    /// <summary>SQL NULL.</summary>
    Null,

    /// <summary>A signed 64-bit integer (booleans are 1/0).</summary>
    Integer,

    /// <summary>A 64-bit IEEE float.</summary>
    Real,

    /// <summary>UTF-8/UTF-16 text.</summary>
    Text,

    /// <summary>Raw bytes (never synced as data; see the sync-rules notes).</summary>
    Blob,
}

/// <summary>
/// One SQLite value: what replication maps Postgres values to, what sync rules compute with, and
/// what ends up in a client's rows. Immutable; equality is by type and content (REAL 1.0 and
/// INTEGER 1 are different values here; SQL comparison rules live in the sync-rules evaluator).
/// </summary>
public readonly struct SqliteValue : IEquatable<SqliteValue>
{
    private readonly long _bits;      // Integer value, or the bits of the Real value; 1 for the evaluator's "undefined" NULL
    private readonly object? _ref;    // string for Text, byte[] for Blob, BigInteger for an INTEGER beyond int64

    private SqliteValue(SqliteType type, long bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _ref = reference;
    }

    /// <summary>The storage class.</summary>
    public SqliteType Type { get; }

    /// <summary>SQL NULL (also the default value of the struct).</summary>
    public static SqliteValue Null => default;

    /// <summary>True for NULL.</summary>
    public bool IsNull => Type == SqliteType.Null;

    /// <summary>An INTEGER.</summary>
    public static SqliteValue FromInteger(long value) => new(SqliteType.Integer, value, null);

    /// <summary>
    /// An INTEGER of any size. Sync-rules arithmetic, like the official evaluator, leaves int64 only on overflow;
    /// values within int64 are the same as <see cref="FromInteger(long)"/>.
    /// </summary>
    public static SqliteValue FromInteger(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? FromInteger((long)value) : new(SqliteType.Integer, value.Sign, value);

    /// <summary>True for an INTEGER beyond int64 (read it with <see cref="AsBigInteger"/>).</summary>
    public bool IsBigInteger => _ref is BigInteger;

    /// <summary>
    /// What the sync-rules evaluator calls undefined: NULL everywhere, except that an output column with this
    /// value is left out of the row's data (as <c>iif(x, y)</c> without an else in the official evaluator).
    /// </summary>
    internal static SqliteValue Undefined => new(SqliteType.Null, 1, null);

    /// <summary>True for <see cref="Undefined"/>.</summary>
    internal bool IsUndefined => Type == SqliteType.Null && _bits == 1;

    /// <summary>A REAL.</summary>
    public static SqliteValue FromReal(double value) => new(SqliteType.Real, BitConverter.DoubleToInt64Bits(value), null);

    /// <summary>A TEXT; null gives NULL.</summary>
    public static SqliteValue FromText(string? value) => value is null ? Null : new(SqliteType.Text, 0, value);

    /// <summary>A BLOB; null gives NULL. The array is not copied: do not change it afterwards.</summary>
    public static SqliteValue FromBlob(byte[]? value) => value is null ? Null : new(SqliteType.Blob, 0, value);

    /// <summary>INTEGER 1 or 0.</summary>
    public static SqliteValue FromBoolean(bool value) => FromInteger(value ? 1 : 0);

    /// <summary>The INTEGER value; throws for other types, and for an INTEGER beyond int64 (see <see cref="AsBigInteger"/>).</summary>
    public long AsInteger => Type == SqliteType.Integer && _ref is null ? _bits : throw (Type == SqliteType.Integer ? BeyondInt64() : WrongType(SqliteType.Integer));

    /// <summary>The INTEGER value of any size; throws for other types.</summary>
    public BigInteger AsBigInteger => Type == SqliteType.Integer ? _ref as BigInteger? ?? _bits : throw WrongType(SqliteType.Integer);

    /// <summary>The REAL value; throws for other types.</summary>
    public double AsReal => Type == SqliteType.Real ? BitConverter.Int64BitsToDouble(_bits) : throw WrongType(SqliteType.Real);

    /// <summary>The TEXT value; throws for other types.</summary>
    public string AsText => Type == SqliteType.Text ? (string)_ref! : throw WrongType(SqliteType.Text);

    /// <summary>The BLOB value (not a copy); throws for other types.</summary>
    public byte[] AsBlob => Type == SqliteType.Blob ? (byte[])_ref! : throw WrongType(SqliteType.Blob);

    private InvalidOperationException WrongType(SqliteType wanted) =>
        new($"The value is {Type}, not {wanted}.");

    private OverflowException BeyondInt64() =>
        new($"The INTEGER {_ref} is beyond int64: read it with AsBigInteger.");

    /// <inheritdoc />
    public bool Equals(SqliteValue other) =>
        Type == other.Type && Type switch
        {
            SqliteType.Null => true,
            SqliteType.Integer => _bits == other._bits && Equals(_ref, other._ref),
            SqliteType.Real => _bits == other._bits,
            SqliteType.Text => string.Equals((string)_ref!, (string)other._ref!, StringComparison.Ordinal),
            _ => ((byte[])_ref!).AsSpan().SequenceEqual((byte[])other._ref!),
        };

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SqliteValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Type switch
    {
        SqliteType.Null => 0,
        SqliteType.Integer or SqliteType.Real => HashCode.Combine(Type, _bits, _ref),
        SqliteType.Text => HashCode.Combine(Type, StringComparer.Ordinal.GetHashCode((string)_ref!)),
        _ => HashCode.Combine(Type, ((byte[])_ref!).Length),
    };

    /// <summary>Equality by type and content.</summary>
    public static bool operator ==(SqliteValue left, SqliteValue right) => left.Equals(right);

    /// <summary>Inequality by type and content.</summary>
    public static bool operator !=(SqliteValue left, SqliteValue right) => !left.Equals(right);

    /// <summary>A debugging form: <c>NULL</c>, <c>42</c>, <c>1.5</c>, <c>'text'</c>, <c>X'0A0B'</c>.</summary>
    public override string ToString() => Type switch
    {
        SqliteType.Null => "NULL",
        SqliteType.Integer => AsBigInteger.ToString(CultureInfo.InvariantCulture),
        SqliteType.Real => BitConverter.Int64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        SqliteType.Text => "'" + ((string)_ref!).Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => "X'" + Convert.ToHexString((byte[])_ref!) + "'",
    };
}
