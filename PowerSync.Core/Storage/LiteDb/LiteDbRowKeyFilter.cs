namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// Which row keys of one version may be stored: a Bloom filter over the keys of the <c>rows</c>
/// collection, so that a flush looks up only rows that may exist. A new row (every row of a snapshot,
/// every insert) is then known missing without an index seek, which in LiteDB costs about what
/// inserting the row does.
/// <para>
/// It never answers "no" for a stored key. The keys stored when the writer opened are added by a scan
/// on a thread of its own (<see cref="Scan"/>); every key the writer writes is added as it is written,
/// from the start; until the scan has finished, every key may be stored. Keys deleted or rolled back
/// stay in: they only cost a lookup. The filter grows by adding a larger segment when the last one is
/// full (10 bits a key at most, about 1% false "maybe" per full segment).
/// </para>
/// </summary>
internal sealed class LiteDbRowKeyFilter
{
    private const int BitsPerKey = 10;
    private const int Probes = 7;
    private const int FirstSegmentBits = 1 << 20;

    private readonly object _gate = new();
    private readonly List<ulong[]> _segments = [];
    private int _countInLast;
    private int _capacityOfLast;
    private volatile bool _complete;

    /// <summary>Whether every stored key has been added (the scan finished): only then can a key be known missing.</summary>
    public bool IsComplete => _complete;

    /// <summary>False only when <paramref name="key"/> is certainly not stored.</summary>
    public bool MayContain(byte[] key)
    {
        if (!_complete) return true;
        var (h1, h2) = Hash(key);
        lock (_gate)
        {
            foreach (var bits in _segments)
            {
                if (Test(bits, h1, h2)) return true;
            }
            return false;
        }
    }

    public void Add(byte[] key)
    {
        var (h1, h2) = Hash(key);
        lock (_gate)
        {
            if (_countInLast >= _capacityOfLast)
            {
                // Each segment has four times the bits of the one before: few segments to test even for large stores.
                var bits = _segments.Count == 0 ? FirstSegmentBits : _segments[^1].LongLength * 64 * 4;
                _segments.Add(new ulong[bits / 64]);
                _capacityOfLast = (int)(bits / BitsPerKey);
                _countInLast = 0;
            }
            Set(_segments[^1], h1, h2);
            _countInLast++;
        }
    }

    /// <summary>
    /// Adds every key <paramref name="storedKeys"/> yields (the keys stored when the writer opened), then
    /// marks the filter complete. Stops, leaving it incomplete, when cancelled or when reading fails: the
    /// writer then looks every row up, as without a filter.
    /// </summary>
    public void Scan(Func<IEnumerable<byte[]>> storedKeys, CancellationToken ct)
    {
        try
        {
            foreach (var key in storedKeys())
            {
                if (ct.IsCancellationRequested) return;
                Add(key);
            }
            _complete = true;
        }
        catch (Exception)
        {
            // Incomplete, the filter answers "maybe" for every key: rows are looked up as without it.
        }
    }

    private static (uint H1, uint H2) Hash(byte[] key)
    {
        var first = new HashCode();
        first.AddBytes(key);
        var second = new HashCode();
        second.Add(key.Length);
        second.AddBytes(key);
        // An odd step visits distinct bits of a power-of-two segment.
        return ((uint)first.ToHashCode(), (uint)second.ToHashCode() | 1);
    }

    private static bool Test(ulong[] bits, uint h1, uint h2)
    {
        var mask = (ulong)bits.Length * 64 - 1;
        for (var i = 0u; i < Probes; i++)
        {
            var bit = (h1 + i * h2) & mask;
            if ((bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    private static void Set(ulong[] bits, uint h1, uint h2)
    {
        var mask = (ulong)bits.Length * 64 - 1;
        for (var i = 0u; i < Probes; i++)
        {
            var bit = (h1 + i * h2) & mask;
            bits[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }
}
