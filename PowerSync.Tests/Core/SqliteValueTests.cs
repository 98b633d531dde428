using NUnit.Framework;
using PowerSync.Core;

namespace PowerSync.Tests.Core;

public sealed class SqliteValueTests
{
    [Test]
    public void Default_is_null()
    {
        SqliteValue value = default;
        Assert.That(value.IsNull, Is.True);
        Assert.That(value, Is.EqualTo(SqliteValue.Null));
        Assert.That(SqliteValue.FromText(null).IsNull, Is.True);
        Assert.That(SqliteValue.FromBlob(null).IsNull, Is.True);
    }

    [Test]
    public void Integer_and_real_of_the_same_number_are_different_values()
    {
        Assert.That(SqliteValue.FromInteger(1), Is.Not.EqualTo(SqliteValue.FromReal(1.0)));
        Assert.That(SqliteValue.FromReal(1.0), Is.EqualTo(SqliteValue.FromReal(1.0)));
    }

    [Test]
    public void Blobs_compare_by_content()
    {
        var a = SqliteValue.FromBlob([1, 2, 3]);
        var b = SqliteValue.FromBlob([1, 2, 3]);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a, Is.Not.EqualTo(SqliteValue.FromBlob([1, 2])));
    }

    [Test]
    public void Reading_the_wrong_type_says_which_type_it_is()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _ = SqliteValue.FromText("x").AsInteger);
        Assert.That(ex!.Message, Is.EqualTo("The value is Text, not Integer."));
    }

    [Test]
    public void Debug_text_shows_type_and_value()
    {
        Assert.That(SqliteValue.FromInteger(-5).ToString(), Is.EqualTo("-5"));
        Assert.That(SqliteValue.FromReal(2.5).ToString(), Is.EqualTo("2.5"));
        Assert.That(SqliteValue.FromText("it's").ToString(), Is.EqualTo("'it''s'"));
        Assert.That(SqliteValue.FromBlob([0x0A, 0xFF]).ToString(), Is.EqualTo("X'0AFF'"));
        Assert.That(SqliteValue.FromBoolean(true), Is.EqualTo(SqliteValue.FromInteger(1)));
    }
}
