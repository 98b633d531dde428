using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>
/// The WHERE of a Sync Stream as a boolean filter tree (edition 2 "alpha" semantics). It is brought
/// into disjunctive normal form; each OR branch becomes one bucket variant (<c>stream|&lt;i&gt;[...]</c>).
/// </summary>
internal abstract record StreamFilter(int Position)
{
    /// <summary>DNF: Or of And of literals (or a single And / literal).</summary>
    public StreamFilter ToDnf(Func<CompiledExpression, CompiledExpression> negate)
    {
        switch (this)
        {
            case NotFilter { Operand: NotFilter inner }:
                return inner.Operand.ToDnf(negate);
            case NotFilter { Operand: SimpleFilter simple } when simple.Condition.Kind != CompiledExpressionKind.Match:
                return simple with { Condition = negate(simple.Condition) };
            case NotFilter { Operand: AndFilter and }:
                return new OrFilter(and.Position, and.Terms.Select(t => new NotFilter(t.Position, t).ToDnf(negate)).ToList()).ToDnf(negate);
            case NotFilter { Operand: OrFilter or }:
                return new AndFilter(or.Position, or.Terms.Select(t => new NotFilter(t.Position, t).ToDnf(negate)).ToList()).ToDnf(negate);
            case AndFilter and:
                {
                    var factors = new List<StreamFilter>();
                    var orTerms = new List<OrFilter>();
                    foreach (var term in and.Terms)
                    {
                        var normalized = term.ToDnf(negate);
                        if (normalized is AndFilter a)
                        {
                            factors.AddRange(a.Terms);
                        }
                        else if (normalized is OrFilter o)
                        {
                            orTerms.Add(o);
                        }
                        else
                        {
                            factors.Add(normalized);
                        }
                    }

                    if (orTerms.Count == 0)
                    {
                        return new AndFilter(and.Position, factors);
                    }

                    IEnumerable<List<StreamFilter>> products = [[]];
                    foreach (var o in orTerms)
                    {
                        products = products.SelectMany(p => o.Terms.Select(t => new List<StreamFilter>(p) { t })).ToList();
                    }

                    return new OrFilter(and.Position, products.Select(p => (StreamFilter)new AndFilter(and.Position, [.. p, .. factors])).ToList());
                }

            case OrFilter or:
                return new OrFilter(or.Position, or.Terms.SelectMany(t => t.ToDnf(negate) is OrFilter inner ? inner.Terms : [t.ToDnf(negate)]).ToList());
            default:
                return this;
        }
    }

    /// <summary>The literals (non-And/Or nodes) of the tree.</summary>
    public IEnumerable<StreamFilter> Literals() => this switch
    {
        AndFilter a => a.Terms.SelectMany(t => t.Literals()),
        OrFilter o => o.Terms.SelectMany(t => t.Literals()),
        _ => [this],
    };
}

/// <summary>A condition on the row, on the request, or a parameter match (row value vs request value).</summary>
internal sealed record SimpleFilter(int Position, CompiledExpression Condition) : StreamFilter(Position);

internal sealed record AndFilter(int Position, IReadOnlyList<StreamFilter> Terms) : StreamFilter(Position);

internal sealed record OrFilter(int Position, IReadOnlyList<StreamFilter> Terms) : StreamFilter(Position);

internal sealed record NotFilter(int Position, StreamFilter Operand) : StreamFilter(Position);

/// <summary><c>row_value IN (SELECT column FROM table WHERE ...)</c> (or <c>&amp;&amp;</c> with a row array).</summary>
internal sealed record InSubqueryFilter(int Position, RowEvaluator Left, StreamSubquery Subquery, bool Overlap) : StreamFilter(Position);

/// <summary><c>request_value IN (SELECT ...)</c>: pushed into the subquery; the stream applies if it returns anything.</summary>
internal sealed record ExistsSubqueryFilter(int Position, StreamSubquery Subquery) : StreamFilter(Position);
