using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>AND / OR / boolean conversion of compiled clauses, with the official evaluator's rules.</summary>
internal static class MatchCombinators
{
    private static List<ParamAssignment> MatchTrue() => [new ParamAssignment()];

    private static List<ParamAssignment> MatchFalse() => [];

    /// <summary>Any clause as a parameter match.</summary>
    public static MatchClause ToMatch(Clause clause)
    {
        switch (clause.Kind)
        {
            case ClauseKind.Match:
                return clause.Match!;
            case ClauseKind.Static:
            case ClauseKind.Row:
                {
                    var eval = clause.RowEvaluator;
                    return new MatchClause([], false, row => SqlValueOps.IsTrue(eval(row)) ? MatchTrue() : MatchFalse());
                }

            case ClauseKind.Parameter:
                {
                    // Equivalent to `param = true`: rows are indexed under 1, the request looks up bool(param).
                    var param = clause.Param;
                    var input = new InputParameter(clause.Key, false, param is null ? null : r => SqlValueOps.Bool(SqlValueOps.IsTrue(param(r))));
                    var key = clause.Key;
                    return new MatchClause([input], false, _ =>
                        [new ParamAssignment() { [key] = ParamValue.Of(SqlValueOps.True) }]);
                }

            default:
                return new MatchClause([], false, _ => throw new SqlEvaluationException("invalid clause"));
        }
    }

    public static Clause And(Clause a, Clause b)
    {
        if (a.Kind == ClauseKind.Static && b.Kind == ClauseKind.Static)
        {
            return Clause.Static(SqlValueOps.Bool(SqlValueOps.IsTrue(a.Value) && SqlValueOps.IsTrue(b.Value)));
        }

        if (a.IsRowValue && b.IsRowValue)
        {
            RowEval x = a.RowEvaluator, y = b.RowEvaluator;
            return Clause.ForRow(row => SqlValueOps.Bool(SqlValueOps.IsTrue(x(row)) & SqlValueOps.IsTrue(y(row)))); // both sides always evaluated, as upstream
        }

        if (a.IsParameterValue && b.IsParameterValue)
        {
            ParamEval? x = a.Kind == ClauseKind.Static || a.Param is not null ? a.ParamEvaluator : null;
            ParamEval? y = b.Kind == ClauseKind.Static || b.Param is not null ? b.ParamEvaluator : null;
            return Clause.ForParameter($"and{a.Key},{b.Key}", x is null || y is null ? null : r => SqlValueOps.Bool(SqlValueOps.IsTrue(x(r)) & SqlValueOps.IsTrue(y(r))));
        }

        var am = ToMatch(a);
        var bm = ToMatch(b);
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

        return Clause.ForMatch(new MatchClause(inputs, am.Unbounded || bm.Unbounded, row => BothMatch(am.Filter(row), bm.Filter(row))));
    }

    /// <summary>The assignments under which both sides of an AND match: each pair that agrees on their shared parameters.</summary>
    private static List<ParamAssignment> BothMatch(List<ParamAssignment> left, List<ParamAssignment> right)
    {
        var results = new List<ParamAssignment>(left.Count * right.Count);
        foreach (var r1 in left)
        {
            foreach (var r2 in right)
            {
                var combined = new ParamAssignment(r1);
                var valid = true;
                foreach (var (k, v) in r2)
                {
                    if (!combined.TryAdd(k, v) && !SameBucketValue(combined[k], v))
                    {
                        valid = false;
                        break;
                    }
                }

                // Deliberate deviation (compat note 9): upstream computes this flag and never reads
                // it, so `owner = bucket.u AND assignee = bucket.u` also emits rows where
                // owner != assignee. We only emit rows that satisfy both conditions.
                if (valid)
                {
                    results.Add(combined);
                }
            }
        }

        return results;
    }

    public static Clause Or(Clause a, Clause b)
    {
        if (a.Kind == ClauseKind.Static && b.Kind == ClauseKind.Static)
        {
            return Clause.Static(SqlValueOps.Bool(SqlValueOps.IsTrue(a.Value) || SqlValueOps.IsTrue(b.Value)));
        }

        if (a.IsRowValue && b.IsRowValue)
        {
            RowEval x = a.RowEvaluator, y = b.RowEvaluator;
            return Clause.ForRow(row => SqlValueOps.Bool(SqlValueOps.IsTrue(x(row)) | SqlValueOps.IsTrue(y(row))));
        }

        if (a.IsParameterValue && b.IsParameterValue)
        {
            ParamEval? x = a.Kind == ClauseKind.Static || a.Param is not null ? a.ParamEvaluator : null;
            ParamEval? y = b.Kind == ClauseKind.Static || b.Param is not null ? b.ParamEvaluator : null;
            return Clause.ForParameter($"or{a.Key},{b.Key}", x is null || y is null ? null : r => SqlValueOps.Bool(SqlValueOps.IsTrue(x(r)) | SqlValueOps.IsTrue(y(r))));
        }

        var am = ToMatch(a);
        var bm = ToMatch(b);
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

        return Clause.ForMatch(new MatchClause(inputs, am.Unbounded || bm.Unbounded, row =>
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
    public static Clause ParameterMatch(Clause rowSide, Clause paramSide)
    {
        var input = new InputParameter(paramSide.Key, false, paramSide.Kind == ClauseKind.Static || paramSide.Param is not null ? paramSide.ParamEvaluator : null);
        var eval = rowSide.RowEvaluator;
        var key = paramSide.Key;
        return Clause.ForMatch(new MatchClause([input], false, row =>
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
    public static Clause ParameterInRowArray(Clause paramSide, Clause rowSide, bool overlap)
    {
        var input = new InputParameter(paramSide.Key, false, paramSide.Kind == ClauseKind.Static || paramSide.Param is not null ? paramSide.ParamEvaluator : null);
        var eval = rowSide.RowEvaluator;
        var key = paramSide.Key;
        _ = overlap;
        return Clause.ForMatch(new MatchClause([input], true, row =>
        {
            var value = eval(row);
            if (value.IsNull)
            {
                return MatchFalse();
            }

            var text = SqlValueOps.ToText(value)!;
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
    public static Clause RowInParameterArray(Clause rowSide, Clause paramSide, bool overlap)
    {
        var key = paramSide.Key + "[*]";
        var input = new InputParameter(key, true, paramSide.ParamEvaluator);
        var eval = rowSide.RowEvaluator;
        return Clause.ForMatch(new MatchClause([input], false, row =>
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

            var parsed = JsonParser.TryParse(SqlValueOps.ToText(value) ?? "null", plainNumbers: true);
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
