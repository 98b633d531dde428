using System.Diagnostics;
using NUnit.Framework;
using PowerSync.Client;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// The tests' one way to wait for what should happen, always with a deadline and never a sleep: a task that
/// signals the outcome (<see cref="WithTimeout{T}"/>), a client query re-run on each change the database reports
/// (<see cref="UntilAsync"/>), or a value nothing signals — state in Postgres, a health report, a counter — looked at
/// again until it holds (<see cref="HoldsAsync{T}"/>). Each fails the test with what it was waiting for.
/// </summary>
internal static class Eventually
{
    /// <summary>The deadline when the caller names none.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(100);

    /// <summary>The task's result, or the test fails after <paramref name="timeout"/> (default <see cref="Timeout"/>) naming <paramref name="what"/>.</summary>
    public static async Task<T> WithTimeout<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        await WithTimeout((Task)task, what, timeout);
        return await task;
    }

    /// <summary>Awaits the task, or the test fails after <paramref name="timeout"/> (default <see cref="Timeout"/>) naming <paramref name="what"/>.</summary>
    public static async Task WithTimeout(Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds}s waiting for {what}.");
        }
    }

    /// <summary>Re-evaluates <paramref name="condition"/> on the query's first value whenever the database reports a change, until true.</summary>
    public static async Task UntilAsync(PowerSyncDatabase db, string query, Func<long, bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var rows in db.WatchAsync<long>(query, null, cts.Token))
            {
                if (condition(rows.Count > 0 ? rows[0] : 0)) return;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out after {Timeout.TotalSeconds}s waiting for {what}.");
        }
    }

    /// <summary>
    /// Looks at a value again (after 10 ms, the pause doubling to 100 ms) until <paramref name="holds"/> is true of it, and
    /// returns how long that took; the pauses are between looks, never a wait for the outcome. Fails the test with
    /// <paramref name="what"/> and the last value seen after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<TimeSpan> HoldsAsync<T>(Func<Task<T>> look, Func<T, bool> holds, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (true)
        {
            var value = await look();
            if (holds(value)) return clock.Elapsed;
            if (clock.Elapsed > timeout) Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}; last seen: {value}");
            await Task.Delay(pause);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
