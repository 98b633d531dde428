using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// The operators whose result can be a <see cref="ParameterMatch"/>, with the official evaluator's rules:
/// AND and OR of compiled expressions (plain values while neither side is a match), any condition as a
/// match, and the three match shapes <c>row = param</c>, <c>param IN row_array</c> and <c>row IN param_array</c>.
/// </summary>
internal static class ConditionOperators
{
    private static List<ParamAssignment> MatchTrue() => [new ParamAssignment()];

    private static List<ParamAssignment> MatchFalse() => [];

    /// <summary>Any condition as a parameter match.</summary>
    public static ParameterMatch AsParameterMatch(CompiledExpression condition)
    {
        switch (condition.Kind)
        {
            case CompiledExpressionKind.Match:
                return condition.Match!;
            case CompiledExpressionKind.Static:
            case CompiledExpressionKind.Row:
                {
                    var eval = condition.RowEvaluator;
                    return new ParameterMatch([], false, row => SqlValueSemantics.IsTrue(eval(row)) ? MatchTrue() : MatchFalse());
                }

            case CompiledExpressionKind.Parameter:
                {
                    // Equivalent to `param = true`: rows are indexed under 1, the request looks up bool(param).
                    var request = condition.Request;
                    var input = new InputParameter(condition.Key, false, request is null ? null : r => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(request(r))));
                    var key = condition.Key;
                    return new ParameterMatch([input], false, _ =>
                        [new ParamAssignment() { [key] = ParamValue.Of(SqlValueSemantics.True) }]);
                }

            default:
                return new ParameterMatch([], false, _ => throw new SqlEvaluationException("invalid condition"));
        }
    }

    public static CompiledExpression And(CompiledExpression a, CompiledExpression b)
    {
        if (a.Kind == CompiledExpressionKind.Static && b.Kind == CompiledExpressionKind.Static)
        {
            return CompiledExpression.Static(SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(a.Value) && SqlValueSemantics.IsTrue(b.Value)));
        }

        if (a.IsRowValue && b.IsRowValue)
        {
            RowEvaluator x = a.RowEvaluator, y = b.RowEvaluator;
            return CompiledExpression.ForRow(row => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(x(row)) & SqlValueSemantics.IsTrue(y(row)))); // both sides always evaluated, as upstream
        }

        if (a.IsParameterValue && b.IsParameterValue)
        {
            RequestEvaluator? x = a.RequestEvaluatorOrNull;
            RequestEvaluator? y = b.RequestEvaluatorOrNull;
            return CompiledExpression.ForParameter($"and{a.Key},{b.Key}", x is null || y is null ? null : r => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(x(r)) & SqlValueSemantics.IsTrue(y(r))));
        }

        var am = AsParameterMatch(a);
        var bm = AsParameterMatch(b);
        if (am.Unbounded && bm.Unbounded)
        {
            throw new SqlEvaluationException("Cannot have multiple IN expressions on bucket parameters");
        }

        if (am.Inputs.Any(i => i.Expands) && bm.Inputs.Any(i => i.Expands))
        {
            throw new SqlEvaluationException("Cannot have multiple array input parameters");
        }

        var inputs = new List<InputParameter>(am.Inputs);
        foreach (var p in bm.Inputs)
        {
            var at = inputs.FindIndex(i => i.Key == p.Key);
            if (at >= 0)
            {
                inputs[at] = p;
            }
            else
            {
                inputs.Add(p);
            }
        }

        return CompiledExpression.ForMatch(new ParameterMatch(inputs, am.Unbounded || bm.Unbounded, row => BothMatch(am.Filter(row), bm.Filter(row))));
    }

    /// <summary>The assignments under which both sides of an AND match: each pair that agrees on their shared parameters.</summary>
    private static List<ParamAssignment> BothMatch(List<ParamAssignment> left, List<ParamAssignment> right)
    {
        var results = new List<ParamAssignment>(left.Count * right.Count);
        foreach (var r1 in left)
        {
            foreach (var r2 in right)
            {
                // Where both sides bind the same parameter to different values, the left value is kept and
                // the row still matches: upstream computes a validity flag here and never reads it (compat
                // note 9), so `owner = bucket.u AND assignee = bucket.u` emits the row under owner's value.
                var combined = new ParamAssignment(r1);
                foreach (var (k, v) in r2)
                {
                    combined.TryAdd(k, v);
                }

                results.Add(combined);
            }
        }

        return results;
    }

    public static CompiledExpression Or(CompiledExpression a, CompiledExpression b)
    {
        if (a.Kind == CompiledExpressionKind.Static && b.Kind == CompiledExpressionKind.Static)
        {
            return CompiledExpression.Static(SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(a.Value) || SqlValueSemantics.IsTrue(b.Value)));
        }

        if (a.IsRowValue && b.IsRowValue)
        {
            RowEvaluator x = a.RowEvaluator, y = b.RowEvaluator;
            return CompiledExpression.ForRow(row => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(x(row)) | SqlValueSemantics.IsTrue(y(row))));
        }

        if (a.IsParameterValue && b.IsParameterValue)
        {
            RequestEvaluator? x = a.RequestEvaluatorOrNull;
            RequestEvaluator? y = b.RequestEvaluatorOrNull;
            return CompiledExpression.ForParameter($"or{a.Key},{b.Key}", x is null || y is null ? null : r => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(x(r)) | SqlValueSemantics.IsTrue(y(r))));
        }

        var am = AsParameterMatch(a);
        var bm = AsParameterMatch(b);
        var keys = am.Inputs.Select(i => i.Key).Concat(bm.Inputs.Select(i => i.Key)).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count != am.Inputs.Count || keys.Count != bm.Inputs.Count)
        {
            throw new SqlEvaluationException(
                $"Left and right sides of OR must use the same parameters, or split into separate queries. [{string.Join(", ", am.Inputs.Select(i => i.Key))}] != [{string.Join(", ", bm.Inputs.Select(i => i.Key))}]");
        }

        var inputs = new List<InputParameter>(am.Inputs);
        foreach (var p in bm.Inputs)
        {
            var at = inputs.FindIndex(i => i.Key == p.Key);
            inputs[at] = p;
        }

        return CompiledExpression.ForMatch(new ParameterMatch(inputs, am.Unbounded || bm.Unbounded, row =>
        {
            var left = am.Filter(row);
            left.AddRange(bm.Filter(row));
            return left;
        }));
    }

    private static bool SameBucketValue(ParamValue a, ParamValue b)
    {
        var x = new System.Text.StringBuilder();
        a.AppendTo(x);
        var y = new System.Text.StringBuilder();
        b.AppendTo(y);
        return x.Equals(y);
    }

    /// <summary><c>row_value = param</c>: the row is indexed under its value (never NULL or BLOB).</summary>
    public static CompiledExpression RowEqualsParameter(CompiledExpression rowSide, CompiledExpression paramSide)
    {
        var input = new InputParameter(paramSide.Key, false, paramSide.RequestEvaluatorOrNull);
        var eval = rowSide.RowEvaluator;
        var key = paramSide.Key;
        return CompiledExpression.ForMatch(new ParameterMatch([input], false, row =>
        {
            var value = eval(row);
            if (value.IsNull || value.Type == SqliteType.Blob)
            {
                return MatchFalse();
            }

            return [new ParamAssignment() { [key] = ParamValue.Of(value) }];
        }));
    }

    /// <summary><c>param IN row_json_array</c>: fan-out over the array (plain JSON.parse, raw values).</summary>
    public static CompiledExpression ParameterInRowArray(CompiledExpression paramSide, CompiledExpression rowSide, bool overlap)
    {
        var input = new InputParameter(paramSide.Key, false, paramSide.RequestEvaluatorOrNull);
        var eval = rowSide.RowEvaluator;
        var key = paramSide.Key;
        _ = overlap;
        return CompiledExpression.ForMatch(new ParameterMatch([input], true, row =>
        {
            var value = eval(row);
            if (value.IsNull)
            {
                return MatchFalse();
            }

            var text = SqlValueSemantics.ToText(value)!;
            var parsed = JsonParser.TryParse(text, plainNumbers: true) ?? throw new SqlEvaluationException($"Invalid JSON: {text}");
            if (parsed.Items is null)
            {
                throw new SqlEvaluationException("Not an array");
            }

            var results = new List<ParamAssignment>(parsed.Items.Count);
            foreach (var item in parsed.Items)
            {
                var pv = item.Kind switch
                {
                    JsonKind.Real => ParamValue.Of(SqliteValue.FromReal(item.Real)),
                    JsonKind.String => ParamValue.Of(SqliteValue.FromText(item.Text)),
                    _ => new ParamValue(SqliteValue.Null, item),
                };
                results.Add(new ParamAssignment() { [key] = pv });
            }

            return results;
        }));
    }

    /// <summary><c>row_value IN request_array</c> (parameter queries): the row is indexed under its value, the request expands its array.</summary>
    public static CompiledExpression RowInParameterArray(CompiledExpression rowSide, CompiledExpression paramSide, bool overlap)
    {
        var key = paramSide.Key + "[*]";
        var input = new InputParameter(key, true, paramSide.RequestEvaluator);
        var eval = rowSide.RowEvaluator;
        return CompiledExpression.ForMatch(new ParameterMatch([input], false, row =>
        {
            var value = eval(row);
            if (value.Type == SqliteType.Blob)
            {
                return MatchFalse();
            }

            if (!overlap)
            {
                return [new ParamAssignment() { [key] = ParamValue.Of(value) }];
            }

            var parsed = JsonParser.TryParse(SqlValueSemantics.ToText(value) ?? "null", plainNumbers: true);
            if (parsed?.Items is null)
            {
                throw new SqlEvaluationException("Not an array");
            }

            return parsed.Items.Select(i => new ParamAssignment()
            {
                [key] = i.Kind == JsonKind.Real ? ParamValue.Of(SqliteValue.FromReal(i.Real)) : i.Kind == JsonKind.String ? ParamValue.Of(SqliteValue.FromText(i.Text)) : new ParamValue(SqliteValue.Null, i),
            }).ToList();
        }));
    }
}
