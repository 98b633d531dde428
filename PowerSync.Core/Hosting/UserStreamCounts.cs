using System.Collections.Concurrent;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Open sync streams per user, when a per-user limit is set (0: no limit, nothing is counted). A user's
/// entry goes away with its last stream, so the map holds only users connected right now.
/// </summary>
internal sealed class UserStreamCounts(int maxPerUser)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Counts a new stream of <paramref name="userId"/>, or returns false when the user is at the limit.</summary>
    public bool TryOpen(string userId)
    {
        if (maxPerUser <= 0) return true;
        while (true)
        {
            if (_open.TryGetValue(userId, out var count))
            {
                if (count >= maxPerUser) return false;
                if (_open.TryUpdate(userId, count + 1, count)) return true;
            }
            else if (_open.TryAdd(userId, 1))
            {
                return true;
            }
        }
    }

    /// <summary>A stream counted by <see cref="TryOpen"/> ended.</summary>
    public void Close(string userId)
    {
        if (maxPerUser <= 0) return;
        while (true)
        {
            var count = _open[userId];
            if (count == 1 ? _open.TryRemove(new KeyValuePair<string, int>(userId, 1)) : _open.TryUpdate(userId, count - 1, count)) return;
        }
    }

    /// <summary>Users with at least one counted stream.</summary>
    public int Users => _open.Count;
}
