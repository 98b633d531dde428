using System.Collections.Concurrent;
using System.Diagnostics;
using PowerSync.Core;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Telemetry;

/// <summary>
/// Records every PowerSync activity that stops while it lives, through an <see cref="ActivityListener"/> sampling
/// all of them. Tests run in parallel, so it also sees other tests' activities: find yours by their tags and links.
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PowerSyncTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    /// <summary>The stopped activity with this span id.</summary>
    public Activity? BySpan(ActivitySpanId span) => Stopped.SingleOrDefault(a => a.SpanId == span);

    /// <summary>Waits until an activity that <paramref name="matches"/> has stopped, and returns it.</summary>
    public async Task<Activity> StoppedAsync(Func<Activity, bool> matches, string what)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(Stopped.Count(matches)), n => n > 0, TimeSpan.FromSeconds(30), what);
        return Stopped.First(matches);
    }

    public void Dispose() => _listener.Dispose();
}
