using System.Globalization;
using System.Text;

namespace PowerSync.Tests.Chaos;

/// <summary>What one seed's run found.</summary>
internal sealed record SeedResult(
    int Seed,
    IReadOnlyDictionary<FaultKind, int> Faults,
    int Acknowledged,
    IReadOnlyList<string> Rejected,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> Diverged,
    IReadOnlyList<string> BackInTime,
    IReadOnlyList<string> Stalls,
    TimeSpan SlowestConvergence,
    string Folder)
{
    public bool Passed => Lost.Count == 0 && Diverged.Count == 0 && BackInTime.Count == 0 && Stalls.Count == 0
        && SlowestConvergence <= ChaosSettings.ConvergenceBound;

    /// <summary>Every problem, one per line, for a failure message.</summary>
    public string Problems()
    {
        var text = new StringBuilder();
        void Section(string title, IReadOnlyList<string> lines)
        {
            if (lines.Count == 0) return;
            text.Append(CultureInfo.InvariantCulture, $"{title} ({lines.Count}):{Environment.NewLine}");
            foreach (var line in lines.Take(20)) text.Append("  ").Append(line).AppendLine();
            if (lines.Count > 20) text.Append(CultureInfo.InvariantCulture, $"  ... {lines.Count - 20} more{Environment.NewLine}");
        }
        Section("Lost acknowledged writes", Lost);
        Section("Diverged rows", Diverged);
        Section("Reads back in time", BackInTime);
        Section("Stalls", Stalls);
        Section("Refused by the backend", Rejected);
        text.Append(CultureInfo.InvariantCulture, $"Journal: {Folder}");
        return text.ToString();
    }
}

/// <summary>The table of a chaos run: one row per seed, written to the console and to the artifacts folder.</summary>
internal static class ChaosReport
{
    public static string Table(IReadOnlyList<SeedResult> results, ChaosSettings settings)
    {
        var kinds = Enum.GetValues<FaultKind>();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Chaos run: {results.Count} seed(s) x {settings.Seconds} s of writes and faults, {settings.Clients} clients + a Postgres-side writer; convergence bound {ChaosSettings.ConvergenceBound.TotalSeconds:0} s{Environment.NewLine}{Environment.NewLine}");
        text.Append("| seed | ").Append(string.Join(" | ", kinds.Select(k => ChaosSchedule.ShortNames[k])))
            .Append(" | acked writes | refused | lost | diverged | back in time | stalled | slowest convergence (s) |").AppendLine();
        text.Append("|---:|").Append(string.Concat(kinds.Select(_ => "---:|"))).Append("---:|---:|---:|---:|---:|---:|---:|").AppendLine();
        foreach (var r in results.OrderBy(r => r.Seed))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Seed} | ")
                .Append(string.Join(" | ", kinds.Select(k => r.Faults.GetValueOrDefault(k).ToString(CultureInfo.InvariantCulture))))
                .Append(CultureInfo.InvariantCulture, $" | {r.Acknowledged} | {r.Rejected.Count} | {r.Lost.Count} | {r.Diverged.Count} | {r.BackInTime.Count} | {r.Stalls.Count} | {r.SlowestConvergence.TotalSeconds:0.0} |")
                .AppendLine();
        }
        if (results.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| all | {string.Join(" | ", kinds.Select(k => results.Sum(r => r.Faults.GetValueOrDefault(k)).ToString(CultureInfo.InvariantCulture)))} | {results.Sum(r => r.Acknowledged)} | {results.Sum(r => r.Rejected.Count)} | {results.Sum(r => r.Lost.Count)} | {results.Sum(r => r.Diverged.Count)} | {results.Sum(r => r.BackInTime.Count)} | {results.Sum(r => r.Stalls.Count)} | {results.Max(r => r.SlowestConvergence).TotalSeconds:0.0} |")
                .AppendLine();
        }
        text.AppendLine();
        text.AppendLine("Faults: be-kill = kill -9 of the backend, restarted; be-stop = SIGSTOP/SIGCONT of the backend; pg-imm / pg-fast = Postgres stopped with -m immediate / -m fast, then started;");
        text.AppendLine("cl-kill = kill -9 of a client, restarted on its database file; cl-freeze / cl-drop = client<->backend network frozen / connections reset and refused; pg-freeze / pg-drop = the same between backend and Postgres.");
        foreach (var r in results.Where(r => !r.Passed).OrderBy(r => r.Seed))
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"Seed {r.Seed}:{Environment.NewLine}{r.Problems()}").AppendLine();
        return text.ToString();
    }

    /// <summary>Writes the table to <c>chaos-&lt;time&gt;.md</c> and <c>latest.md</c> in the artifacts folder; returns the first path.</summary>
    public static string Write(string table, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"chaos-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md");
        File.WriteAllText(path, table);
        File.WriteAllText(Path.Combine(folder, "latest.md"), table);
        return path;
    }
}
