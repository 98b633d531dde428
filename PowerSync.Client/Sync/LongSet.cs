namespace PowerSync.Client.Sync;

/// <summary>
/// A set of 64-bit values in one open-addressed array (linear probing): bulk mode's row hashes, a million
/// or more per download, each added once, with one array read per lookup where a <c>HashSet</c> has two
/// and an entry object per value.
/// </summary>
internal sealed class LongSet
{
    private const int MinCapacity = 1024;
    private long[] _slots = new long[MinCapacity];
    private int _used;
    private bool _hasZero;

    /// <summary>The values in the set.</summary>
    public int Count => _used + (_hasZero ? 1 : 0);

    /// <summary>Adds <paramref name="value"/>; false when it was already there.</summary>
    public bool Add(long value)
    {
        if (value == 0)
        {
            if (_hasZero) return false;
            _hasZero = true;
            return true;
        }

        // At most half full: probes stay short.
        if ((_used + 1) * 2 > _slots.Length) Grow();
        if (!Insert(_slots, value)) return false;
        _used++;
        return true;
    }

    public bool Contains(long value)
    {
        if (value == 0) return _hasZero;
        var mask = _slots.Length - 1;
        for (var i = Slot(value, mask); ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == value) return true;
            if (slot == 0) return false;
        }
    }

    /// <summary>Places a non-zero value in <paramref name="slots"/> (a power of two long, not full); false when present.</summary>
    private static bool Insert(long[] slots, long value)
    {
        var mask = slots.Length - 1;
        for (var i = Slot(value, mask); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot == value) return false;
            if (slot != 0) continue;
            slots[i] = value;
            return true;
        }
    }

    /// <summary>The home slot: Fibonacci hashing spreads values whose low bits agree.</summary>
    private static int Slot(long value, int mask) => (int)((unchecked((ulong)value * 0x9E3779B97F4A7C15UL) >> 32) & (uint)mask);

    private void Grow()
    {
        var slots = new long[_slots.Length * 2];
        foreach (var value in _slots)
        {
            if (value != 0) Insert(slots, value);
        }

        _slots = slots;
    }
}
