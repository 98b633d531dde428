using BenchmarkDotNet.Attributes;
using PowerSync.Core;

namespace PowerSync.Benchmarks.Micro;

/// <summary>LSN text round trips: every write checkpoint and checkpoint row stores one.</summary>
[MemoryDiagnoser]
public class LsnBenchmarks
{
    private readonly Lsn _lsn = new(0x16_B374D848UL);
    private const string Text = "16/B374D848";

    [Benchmark]
    public Lsn Parse() => Lsn.Parse(Text);

    [Benchmark]
    public string ToComparableString() => _lsn.ToComparableString();
}
