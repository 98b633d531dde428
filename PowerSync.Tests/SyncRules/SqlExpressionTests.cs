using NUnit.Framework;
using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Tests.SyncRules;

/// <summary>Parser and evaluator behaviour not covered by the generated cases (integers beyond int64: Fixtures/big-integers.ndjson).</summary>
[TestFixture]
public sealed class SqlExpressionTests
{
    [TestCase("1e3", 0)]
    [TestCase("CASE WHEN i THEN 1 END", 0)]
    [TestCase("t LIKE 'a%'", 0)]
    [TestCase("i BETWEEN 1 AND 5", 0)]
    [TestCase("i % 2", 0)]
    [TestCase("i IN (1, 2)", 0)]
    [TestCase("t ->> 1", 0)]
    [TestCase("t ->> t", 0)]
    [TestCase("nosuchfn(i)", 0)]
    [TestCase("request.user_id()", 0)]
    [TestCase("bucket.x + 1", 0)]
    [TestCase("CAST(i AS varchar)", 0)]
    [TestCase("other.col", 0)]
    [TestCase("s.t.col", 0)]
    public void Unsupported_syntax_is_a_compile_error(string expression, int unused)
    {
        _ = unused;
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo("COMPILE_ERROR"));
    }

    // V8's legacy Date parser skips the sign of "-4713-11-24 12:00:00Z" (a year needs six digits after a sign), so the
    // round trip through text loses the era, as officially; a lone "+7" is month 7 of 2001, "-0" is 2000.
    [TestCase("datetime(0)", "text|\"-4713-11-24 12:00:00\"")]
    [TestCase("datetime(datetime(0))", "text|\"4713-11-24 12:00:00\"")]
    [TestCase("datetime('+7')", "text|\"2001-07-01 00:00:00\"")]
    [TestCase("unixepoch('-0')", "integer|946684800")]
    [TestCase("datetime('2023-02-29')", "text|\"2023-03-01 00:00:00\"")] // V8 rolls invalid days over; so do we
    public void Date_text_outside_iso_8601_reads_as_V8_reads_it(string expression, string expected) =>
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo(expected));

    [TestCase("1 OR t -> '0'")]
    [TestCase("0 AND json_keys(arr)")]
    public void Both_operands_of_and_or_are_evaluated(string expression) =>
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo("ROW_ERROR"));

    [TestCase("j ->> 'zz' - j -> 'a'", "null|null")]
    [TestCase("1 != t IS NULL", "integer|1")]
    [TestCase("2 < 3 = 1", "integer|1")]
    [TestCase("'a' || 'b' IN '[\"ab\"]'", "integer|1")]
    [TestCase("arr ->> '0' * 3", "integer|3")]
    public void Precedence_follows_the_official_grammar(string expression, string expected) =>
        Assert.That(ExpressionHarness.Evaluate(expression, 1), Is.EqualTo(expected));

    [Test]
    public void Syntax_errors_carry_the_position_of_the_offending_token()
    {
        var e = Assert.Throws<SqlSyntaxException>(() => SqlParser.ParseSelect("SELECT id FROM t WHERE a = = 1"))!;
        Assert.That(e.Position, Is.EqualTo(27));
        Assert.That(e.Message, Does.Contain("expected an expression"));
    }

    [Test]
    public void Exponent_literals_are_rejected_with_a_hint()
    {
        var e = Assert.Throws<SqlSyntaxException>(() => SqlParser.ParseSelect("SELECT 1e3 AS x FROM t"))!;
        Assert.That(e.Position, Is.EqualTo(7));
        Assert.That(e.Message, Does.Contain("exponent"));
    }

    [Test]
    public void Unquoted_identifiers_are_lower_cased_and_quoted_ones_kept()
    {
        var s = SqlParser.ParseSelect("SELECT Name, \"Other\" FROM Todos");
        Assert.That(((ColumnRefExpr)s.Columns[0].Expr).Column, Is.EqualTo("name"));
        Assert.That(((ColumnRefExpr)s.Columns[1].Expr).Column, Is.EqualTo("Other"));
        Assert.That(s.From!.Name, Is.EqualTo("todos"));
    }
}
