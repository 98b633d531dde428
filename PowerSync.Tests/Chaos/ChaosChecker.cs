using System.Globalization;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// Checks a chaos run's observation log. Every source (a client, across its restarts, or the Postgres-side
/// writer) reports lines of <c>id:version</c> tokens, version -1 meaning deleted or gone:
/// <list type="bullet">
/// <item><c>W ...</c>: a local write transaction committed (the client holds these versions from now on, across restarts);</item>
/// <item><c>ACK ...</c>: the backend answered 2xx to the upload holding these writes (or Postgres committed them);</item>
/// <item><c>REJ id reason</c>: the backend refused an entry;</item>
/// <item><c>FULL digest ...</c>: everything the client's <c>todos</c> view holds (first read after a start);</item>
/// <item><c>DIFF digest ...</c>: rows that changed since the previous read.</item>
/// </list>
/// A read that goes back in time is reported as it is recorded: a read older than an earlier read of the same
/// client, or a first read after a restart without a local write the client had committed before (reads and
/// writes are reported by different tasks, so only a restart orders them). Lost writes and divergence are
/// checked against Postgres at quiescent points.
/// </summary>
internal sealed class ChaosChecker
{
    private const long Deleted = long.MaxValue;
    private readonly Dictionary<string, long> _acked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ackedWrites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClientView> _views = new(StringComparer.Ordinal);
    private readonly List<string> _backInTime = [];
    private readonly List<string> _rejected = [];
    private readonly object _gate = new();

    /// <summary>Distinct writes (row and version, or row deleted) acknowledged so far.</summary>
    public int Acknowledged
    {
        get { lock (_gate) return _ackedWrites.Count; }
    }

    /// <summary>Entries the backend refused (none are expected: every writer only writes what it may).</summary>
    public IReadOnlyList<string> Rejected
    {
        get { lock (_gate) return [.. _rejected]; }
    }

    /// <summary>Reads that observed an older state than one the same client had already seen.</summary>
    public IReadOnlyList<string> BackInTime
    {
        get { lock (_gate) return [.. _backInTime]; }
    }

    /// <summary>Records one line of <paramref name="source"/>; lines of other kinds are ignored.</summary>
    public void Record(string source, string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return;
        lock (_gate)
        {
            switch (parts[0])
            {
                case "ACK":
                    foreach (var (id, version) in Tokens(parts.AsSpan(1)))
                    {
                        var v = version < 0 ? Deleted : version;
                        _acked[id] = Math.Max(_acked.GetValueOrDefault(id, 0), v);
                        _ackedWrites.Add(ChaosRows.Token(id, version));
                    }
                    break;
                case "REJ":
                    _rejected.Add($"{source}: {string.Join(' ', parts.Skip(1))}");
                    break;
                case "W":
                    var committed = View(source).Committed;
                    foreach (var (id, version) in Tokens(parts.AsSpan(1))) committed[id] = Math.Max(committed.GetValueOrDefault(id, 0), version < 0 ? Deleted : version);
                    break;
                case "FULL" when parts.Length >= 2:
                    var view = View(source);
                    var full = Tokens(parts.AsSpan(2)).ToList();
                    var present = full.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                    foreach (var gone in view.Rows.Keys.Where(id => !present.Contains(id)).ToList()) view.Observe(gone, -1, "a read after a restart", this, source);
                    foreach (var (id, version) in full) view.Observe(id, version, "a read after a restart", this, source);
                    view.Digest = parts[1];
                    foreach (var (id, version) in view.Committed)
                    {
                        var held = view.Rows.TryGetValue(id, out var v) ? v : -1;
                        if (version == Deleted ? held >= 0 : held < version)
                            _backInTime.Add($"{source}: a read after a restart shows {id} {(held < 0 ? "missing" : "v" + held)}, its own committed write was {(version == Deleted ? "a delete" : "v" + version)}");
                    }
                    break;
                case "DIFF" when parts.Length >= 2:
                    var changed = View(source);
                    foreach (var (id, version) in Tokens(parts.AsSpan(2))) changed.Observe(id, version, "a read", this, source);
                    changed.Digest = parts[1];
                    break;
            }
        }
    }

    /// <summary>The rows (id, version) <paramref name="source"/> read last.</summary>
    public IReadOnlyDictionary<string, long> ViewOf(string source)
    {
        lock (_gate) return new Dictionary<string, long>(View(source).Rows, StringComparer.Ordinal);
    }

    /// <summary>The digest of the whole rows <paramref name="source"/> read last (null before its first read).</summary>
    public string? DigestOf(string source)
    {
        lock (_gate) return View(source).Digest;
    }

    /// <summary>
    /// Acknowledged writes Postgres does not hold (<paramref name="postgres"/>: every todo's id and version):
    /// a row whose acknowledged version is missing or newer, or whose acknowledged delete did not happen.
    /// Call it when no write is in flight (every upload queue drained).
    /// </summary>
    public IReadOnlyList<string> LostWrites(IReadOnlyDictionary<string, long> postgres)
    {
        lock (_gate)
        {
            var lost = new List<string>();
            foreach (var (id, acked) in _acked.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                var held = postgres.TryGetValue(id, out var v) ? v : -1;
                if (acked == Deleted)
                {
                    if (held >= 0) lost.Add($"{id}: delete acknowledged, Postgres still has v{held}");
                }
                else if (held < acked)
                {
                    lost.Add(held < 0 ? $"{id}: v{acked} acknowledged, the row is not in Postgres" : $"{id}: v{acked} acknowledged, Postgres has v{held}");
                }
            }
            return lost;
        }
    }

    /// <summary>Rows where <paramref name="actual"/> (a client's read) differs from <paramref name="expected"/> (Postgres through the sync rules).</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, long> actual, IReadOnlyDictionary<string, long> expected)
    {
        var differences = new List<string>();
        foreach (var id in actual.Keys.Union(expected.Keys, StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal))
        {
            var a = actual.TryGetValue(id, out var x) ? x : -1;
            var e = expected.TryGetValue(id, out var y) ? y : -1;
            if (a != e) differences.Add($"{id}: client {(a < 0 ? "has no row" : "v" + a)}, Postgres {(e < 0 ? "has no row" : "v" + e)}");
        }
        return differences;
    }

    private ClientView View(string source)
    {
        if (!_views.TryGetValue(source, out var view)) _views[source] = view = new ClientView();
        return view;
    }

    private static List<(string Id, long Version)> Tokens(ReadOnlySpan<string> parts)
    {
        var tokens = new List<(string Id, long Version)>(parts.Length);
        foreach (var part in parts)
        {
            var colon = part.LastIndexOf(':');
            if (colon > 0 && long.TryParse(part.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
                tokens.Add((part[..colon], version));
        }
        return tokens;
    }

    /// <summary>What one client last read: each row's version, and the rows it saw go (ids are never reused).</summary>
    private sealed class ClientView
    {
        public Dictionary<string, long> Rows { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Gone { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Committed { get; } = new(StringComparer.Ordinal);
        public string? Digest { get; set; }

        public void Observe(string id, long version, string how, ChaosChecker checker, string source)
        {
            if (version < 0)
            {
                if (Rows.Remove(id, out var last)) Gone[id] = last;
                return;
            }
            if (Gone.TryGetValue(id, out var before))
                checker._backInTime.Add($"{source}: {how} shows {id} v{version} again after it was gone (last seen v{before})");
            else if (Rows.TryGetValue(id, out var seen) && version < seen)
                checker._backInTime.Add($"{source}: {how} shows {id} v{version} after v{seen}");
            Gone.Remove(id);
            Rows[id] = version;
        }
    }
}
