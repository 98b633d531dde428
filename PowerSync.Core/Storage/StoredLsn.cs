namespace PowerSync.Core.Storage;

/// <summary>
/// LSNs in SQLite columns: the same 64 bits as a signed integer. Never compare stored values in SQL
/// (LSNs are unsigned); read them back and compare as <see cref="Lsn"/>.
/// </summary>
internal static class StoredLsn
{
    public static long ToStored(Lsn lsn) => unchecked((long)lsn.Value);

    public static Lsn FromStored(long value) => new(unchecked((ulong)value));
}
