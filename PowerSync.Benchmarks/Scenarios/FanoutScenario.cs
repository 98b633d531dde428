using System.Diagnostics;
using PowerSync.Core;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Many open streams on one host, all syncing one shared bucket. For each client count: the
/// server's memory per open stream, and the time for one change to reach every client. Then, with
/// 100 clients, commit-to-client latency over 50 changes. Clients run in a child process.
/// </summary>
public sealed class FanoutScenario : IScenario
{
    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT * FROM items
        """;

    public string Name => "fanout";

    public string Description => "open streams per host: memory per stream, one change to all, commit-to-client latency";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        int[] counts = options.Clients is { } n ? [n] : [1_000, 5_000, 10_000];
        await using var host = await BenchmarkHost.CreateAsync(Rules, ct);
        for (var i = 0; i < 10; i++) await host.SaveItemAsync($"seed{i}", Item($"seed-{i}"), ct);
        await host.CommitAsync(ct);
        await host.StartHttpAsync(maxConnections: 20_000, ct);
        var token = host.Token("fan");
        var change = 0;

        foreach (var clients in counts)
        {
            var before = Memory();
            await using var children = await ClientProcess.StartAsync(host.Address, token, clients, ct);
            var after = Memory();
            report.Add($"clients_{clients}_bytes_per_connection", (after.WorkingSet - before.WorkingSet) / (double)clients, "B");
            report.Add($"clients_{clients}_bytes_per_connection_with_gc_reserve", (after.WorkingSetWithReserve - before.WorkingSetWithReserve) / (double)clients, "B");
            report.Add($"clients_{clients}_managed_bytes_per_connection", (after.Managed - before.Managed) / (double)clients, "B");

            var marker = (++change).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var t0 = await CommitChangeAsync(host, marker, ct);
            var delays = await children.ReportAsync(marker, clients, t0, ct);
            report.Add($"clients_{clients}_received", (long)delays.Count);
            report.Add($"clients_{clients}_fanout_p99_ms", Percentile(delays, 0.99), "ms");
            report.Add($"clients_{clients}_fanout_max_ms", delays.Count == 0 ? double.NaN : delays.Max(), "ms");
        }

        // The flat fields the issue names, for the largest run.
        var largest = counts.Max();
        report.Add("clients", largest);
        report.Add("bytes_per_connection", (double)report.Figures.First(f => f.Key == $"clients_{largest}_bytes_per_connection").Value, "B");
        report.Add("fanout_p99_ms", (double)report.Figures.First(f => f.Key == $"clients_{largest}_fanout_p99_ms").Value, "ms");

        await using (var hundred = await ClientProcess.StartAsync(host.Address, token, 100, ct))
        {
            var all = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var marker = (++change).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var t0 = await CommitChangeAsync(host, marker, ct);
                all.AddRange(await hundred.ReportAsync(marker, 100, t0, ct));
            }
            report.Add("latency_p50_ms", Percentile(all, 0.50), "ms");
            report.Add("latency_p99_ms", Percentile(all, 0.99), "ms");
        }
    }

    private static async Task<long> CommitChangeAsync(BenchmarkHost host, string marker, CancellationToken ct)
    {
        await host.SaveItemAsync($"change{marker}", Item($"change-{marker}"), ct);
        var t0 = Stopwatch.GetTimestamp();
        await host.CommitAsync(ct);
        return t0;
    }

    private static Dictionary<string, SqliteValue> Item(string id) => new()
    {
        ["id"] = SqliteValue.FromText(id),
        ["name"] = SqliteValue.FromText("item " + id),
        ["price"] = SqliteValue.FromReal(1.5),
    };

    /// <summary>
    /// The process's memory: live managed bytes, and the working set twice: after an ordinary full collection
    /// (which leaves the GC's reserve of free but committed memory in it, a figure that moved by several KB per
    /// connection from run to run) and after an aggressive one that gives that reserve back, which is what the
    /// open connections themselves hold.
    /// </summary>
    private static (long Managed, long WorkingSetWithReserve, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var withReserve = process.WorkingSet64;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        process.Refresh();
        return (GC.GetTotalMemory(forceFullCollection: false), withReserve, process.WorkingSet64);
    }

    internal static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The child process holding the client streams.</summary>
    private sealed class ClientProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ClientProcess(Process process) => _process = process;

        public static async Task<ClientProcess> StartAsync(Uri address, string token, int clients, CancellationToken ct)
        {
            var self = Environment.ProcessPath!;
            var psi = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(FanoutScenario).Assembly.Location);
            foreach (var a in new[] { "fanout-clients", address.ToString(), token, clients.ToString(System.Globalization.CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            var child = new ClientProcess(Process.Start(psi)!);
            var line = await child._process.StandardOutput.ReadLineAsync(ct);
            if (line != $"READY {clients}") throw new InvalidOperationException($"Client process did not get ready: '{line}'.");
            return child;
        }

        public async Task<List<double>> ReportAsync(string marker, int expected, long t0, CancellationToken ct)
        {
            await _process.StandardInput.WriteLineAsync($"REPORT {marker} {expected}");
            await _process.StandardInput.FlushAsync(ct);
            var line = await _process.StandardOutput.ReadLineAsync(ct) ?? throw new InvalidOperationException("Client process exited.");
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Skip(3).Select(t => (long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) - t0) * 1000.0 / Stopwatch.Frequency).ToList();
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            _process.Dispose();
        }
    }
}
