using System.Globalization;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// CPU time of other processes, from <c>/proc</c> (zero without it): figures a loaded machine inflates far less than
/// elapsed time.
/// </summary>
internal static class CpuTime
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, fixed at 100 on Linux

    /// <summary>
    /// Used so far by a private Postgres cluster: the postmaster, its live processes, and those that exited. Zero for an
    /// external server.
    /// </summary>
    public static TimeSpan OfPostgres(PostgresServer server)
    {
        if (server.Cluster is not { } cluster || !Directory.Exists("/proc")) return TimeSpan.Zero;
        var pidFile = Path.Combine(cluster.DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return TimeSpan.Zero;
        var postmaster = int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture);
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // Exited meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // After the command name in parentheses: state, ppid, ... utime (14), stime (15), cutime (16), cstime (17).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (pid == postmaster)
                ticks += Field(fields, 14) + Field(fields, 15) + Field(fields, 16) + Field(fields, 17);
            else if (parent == postmaster)
                ticks += Field(fields, 14) + Field(fields, 15);
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>CPU time used so far by the process <paramref name="pid"/> (another instance's); zero where there is no <c>/proc</c>.</summary>
    public static TimeSpan OfProcess(int pid)
    {
        var path = $"/proc/{pid}/stat";
        if (!File.Exists(path)) return TimeSpan.Zero;
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((Field(fields, 14) + Field(fields, 15)) / TicksPerSecond);
    }

    // Field numbers as in proc(5), where the state is field 3.
    private static long Field(string[] afterName, int number) => long.Parse(afterName[number - 3], CultureInfo.InvariantCulture);
}
