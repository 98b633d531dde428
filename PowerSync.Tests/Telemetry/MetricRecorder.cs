using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace PowerSync.Tests.Telemetry;

/// <summary>
/// Records the measurements of every PowerSync instrument created through one <see cref="IMeterFactory"/> (the
/// app's, or a private one), through a <see cref="MeterListener"/>: other tests' meters have other scopes.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly ServiceProvider? _services;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Measurement>> _measurements = new(StringComparer.Ordinal);

    /// <summary>One recorded value with its tags.</summary>
    public sealed record Measurement(double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <param name="factory">The factory whose meters to record; a new private one when null.</param>
    public MetricRecorder(IMeterFactory? factory = null)
    {
        if (factory is null)
        {
            _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            factory = _services.GetRequiredService<IMeterFactory>();
        }
        Factory = factory;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter.Scope, Factory) || !instrument.Meter.Name.StartsWith("PowerSync", StringComparison.Ordinal)) return;
            Instruments[instrument.Name] = instrument;
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IMeterFactory Factory { get; }

    /// <summary>The PowerSync instruments of the factory's meters, by name.</summary>
    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="instrument"/> recorded so far.</summary>
    public IReadOnlyList<Measurement> Of(string instrument) =>
        _measurements.TryGetValue(instrument, out var values) ? [.. values] : [];

    /// <summary>The sum of what <paramref name="instrument"/> recorded.</summary>
    public double Sum(string instrument) => Of(instrument).Sum(m => m.Value);

    /// <summary>Asks the observable instruments (gauges, observable counters) for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags) copied[tag.Key] = tag.Value;
        _measurements.GetOrAdd(instrument.Name, _ => new ConcurrentQueue<Measurement>()).Enqueue(new Measurement(value, copied));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services?.Dispose();
    }
}
