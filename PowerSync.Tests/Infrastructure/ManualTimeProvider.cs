namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// The tests' one fake clock: it moves only when the test calls <see cref="Advance"/>, and timers due by
/// then fire on the calling thread. <see cref="WaitForTimersCreatedAsync"/> lets a test wait until the code
/// under test has armed its next timer, so no test sleeps.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private DateTimeOffset _now = start;
    private readonly List<TimeSpan> _dueTimes = [];
    private int _created;

    /// <summary>A clock at 2026-01-01 00:00 UTC.</summary>
    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    /// <summary>Timestamps (and so elapsed times) move with <see cref="Advance"/> too.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate) return _now.UtcTicks;
    }

    /// <summary>The due time each timer was created with, in order of creation.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_gate) return [.. _dueTimes];
        }
    }

    /// <summary>Timers created so far.</summary>
    public int TimersCreated
    {
        get
        {
            lock (_gate) return _created;
        }
    }

    public Task WaitForTimersCreatedAsync(int count) => Eventually.WithTimeout(WhenTimersCreated(count), $"timer #{count} to be created");

    /// <summary>Completes once <paramref name="count"/> timers have been created (no deadline of its own).</summary>
    public Task WhenTimersCreated(int count)
    {
        lock (_gate)
        {
            if (_created >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        List<TaskCompletionSource> released;
        lock (_gate)
        {
            _timers.Add(timer);
            timer.Arm(dueTime, period);
            _dueTimes.Add(dueTime);
            _created++;
            released = _waiters.Where(w => w.Count <= _created).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => w.Count <= _created);
        }

        foreach (var done in released) done.TrySetResult();
        return timer;
    }

    /// <summary>Moves the clock and fires the timers that are due.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.Due is { } d && d <= _now).ToList();
            foreach (var t in due) t.Due = t.Period is { } p ? _now + p : null;
        }

        foreach (var t in due) t.Fire();
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
            Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
        }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate) Arm(dueTime, period);
            return true;
        }

        public void Dispose()
        {
            lock (owner._gate) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
