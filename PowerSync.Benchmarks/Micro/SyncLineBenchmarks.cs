using BenchmarkDotNet.Attributes;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;

namespace PowerSync.Benchmarks.Micro;

/// <summary>
/// Serializing one full data page (1000 ops shaped like the download scenario's rows, UUID subkeys):
/// every op a client downloads goes through this once per page and encoding.
/// </summary>
[MemoryDiagnoser]
public class SyncLineBenchmarks
{
    private readonly DataLine _line = new(new BucketDataPage("by_group[0]", OpId.Zero,
        [.. Enumerable.Range(1, 1000).Select(i => OplogEntry.FromText(
            new OpId(i), OpType.Put, "items", $"item-{i}", Guid.NewGuid().ToString(),
            $$"""{"id":"item-{{i}}","grp":0,"name":"item number {{i}}","price":{{i * 0.25}}}""", (uint)i * 2654435761u, null))],
        HasMore: true));

    /// <summary>As serving keeps it: pieces under the large object heap's threshold.</summary>
    [Benchmark]
    public int RawDataPage() => SyncLineWriter.ToChunks(_line, rawData: true).Length;

    [Benchmark]
    public int ObjectDataPage() => SyncLineWriter.ToChunks(_line, rawData: false).Length;

    /// <summary>The same line in one array (on the large object heap): what serving did before it kept pieces.</summary>
    [Benchmark(Baseline = true)]
    public int RawDataPageInOneArray() => SyncLineWriter.ToBytes(_line, rawData: true).Length;
}
