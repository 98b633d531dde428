using System.Diagnostics;
using NUnit.Framework;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// Awaits a condition that nothing signals (state in Postgres, a health report) by looking again at short
/// intervals until it holds or the deadline passes; the pause is between looks, never a wait for the outcome.
/// </summary>
internal static class Condition
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns how long it took; fails the test with <paramref name="what"/> and the last value seen after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan> AwaitAsync<T>(Func<Task<T>> look, Func<T, bool> holds, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await look();
            if (holds(value)) return clock.Elapsed;
            if (clock.Elapsed > timeout) Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}; last seen: {value}");
            await Task.Delay(Pause);
        }
    }
}
