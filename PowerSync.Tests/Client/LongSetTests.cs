using NUnit.Framework;
using PowerSync.Client.Sync;

namespace PowerSync.Tests.Client;

[TestFixture]
public sealed class LongSetTests
{
    [Test]
    public void Holds_the_same_values_as_a_HashSet_through_growth_zero_and_repeats()
    {
        var random = new Random(19);
        var set = new LongSet();
        var expected = new HashSet<long>();
        // Zero, extremes, values differing only in high bits (same low bits), and random values, many repeated.
        var values = new List<long> { 0, 0, long.MinValue, long.MaxValue, -1 };
        values.AddRange(Enumerable.Range(0, 5000).Select(i => (long)i << 40));
        values.AddRange(Enumerable.Range(0, 50_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)));
        values.AddRange(values.Take(20_000).ToList());
        foreach (var value in values) Assert.That(set.Add(value), Is.EqualTo(expected.Add(value)), $"Add({value})");

        Assert.That(set.Count, Is.EqualTo(expected.Count));
        Assert.That(values.All(set.Contains), Is.True, "every added value is found");
        var absent = Enumerable.Range(0, 10_000).Select(_ => random.NextInt64()).Where(v => !expected.Contains(v)).ToList();
        Assert.That(absent.Any(set.Contains), Is.False, "no value that was never added is found");
    }
}
