using NUnit.Framework;
using PowerSync.Core;

namespace PowerSync.Tests.Core;

public sealed class LsnTests
{
    [TestCase("0/0", 0UL)]
    [TestCase("16/B374D848", 0x16_B374D848UL)]
    [TestCase("FFFFFFFF/FFFFFFFF", ulong.MaxValue)]
    [TestCase("00000001/0000000A", 0x1_0000000AUL)]
    public void Parses_postgres_text_form(string text, ulong expected) =>
        Assert.That(Lsn.Parse(text).Value, Is.EqualTo(expected));

    [Test]
    public void Prints_like_postgres_and_pads_the_comparable_form()
    {
        var lsn = new Lsn(0x16_0000D848UL);
        Assert.That(lsn.ToString(), Is.EqualTo("16/D848"));
        Assert.That(lsn.ToComparableString(), Is.EqualTo("00000016/0000D848"));
        Assert.That($"{lsn}", Is.EqualTo("16/D848"));
    }

    [TestCase("")]
    [TestCase("/")]
    [TestCase("16")]
    [TestCase("16/")]
    [TestCase("/16")]
    [TestCase("123456789/0")]
    [TestCase("0/123456789")]
    [TestCase("G/0")]
    [TestCase("-1/0")]
    [TestCase("1/2/3")]
    public void Rejects_text_that_is_not_an_lsn(string text)
    {
        Assert.That(Lsn.TryParse(text, out _), Is.False);
        var ex = Assert.Throws<FormatException>(() => Lsn.Parse(text));
        Assert.That(ex!.Message, Does.Contain("16/B374D848"));
    }

    [Test]
    public void Comparable_text_sorts_like_the_value()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 500).Select(_ => new Lsn((ulong)random.NextInt64() >> random.Next(0, 60))).ToList();
        var byValue = values.OrderBy(v => v).Select(v => v.ToComparableString());
        var byText = values.Select(v => v.ToComparableString()).OrderBy(s => s, StringComparer.Ordinal);
        Assert.That(byText, Is.EqualTo(byValue));
    }
}
