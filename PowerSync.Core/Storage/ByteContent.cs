namespace PowerSync.Core.Storage;

/// <summary>Byte arrays (row keys) compared by content, to find a key a query returned among the ones asked for.</summary>
internal static class ByteContent
{
    public static IEqualityComparer<byte[]> Comparer { get; } = new ContentComparer();

    private sealed class ContentComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }
}
