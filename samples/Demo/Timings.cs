using System.Diagnostics;

namespace Demo;

/// <summary>What took how long, printed as a table at the end.</summary>
internal sealed class Timings
{
    private readonly List<(string Step, TimeSpan Elapsed)> _rows = [];

    public async Task<T> MeasureAsync<T>(string step, Func<Task<T>> work)
    {
        var watch = Stopwatch.StartNew();
        var result = await work();
        Add(step, watch.Elapsed);
        return result;
    }

    /// <summary>Measures from <paramref name="since"/> (a change made before) until <paramref name="work"/> completes.</summary>
    public async Task MeasureAsync(string step, Func<Task> work, Stopwatch? since = null)
    {
        var watch = since ?? Stopwatch.StartNew();
        await work();
        Add(step, watch.Elapsed);
    }

    private void Add(string step, TimeSpan elapsed)
    {
        lock (_rows) _rows.Add((step, elapsed));
        Console.WriteLine($"  {step}: {elapsed.TotalMilliseconds:N0} ms");
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| step                                | time (ms) |");
        Console.WriteLine("|-------------------------------------|-----------|");
        foreach (var (step, elapsed) in _rows) Console.WriteLine($"| {step,-35} | {elapsed.TotalMilliseconds,9:N0} |");
    }
}
