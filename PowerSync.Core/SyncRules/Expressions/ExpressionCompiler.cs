namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>A positioned compile error inside one SQL query.</summary>
internal sealed record SqlCompileError(string Message, int Position, int Length, bool IsWarning = false);

/// <summary>
/// Compiles parsed expressions into <see cref="CompiledExpression"/>s (delegates), following the official
/// evaluator's rules for which combinations of row values, parameters and literals are allowed.
/// Expressions over literals only are folded at compile time (a failure there rejects the query,
/// as in the official evaluator).
/// </summary>
internal sealed class ExpressionCompiler(ExpressionScope scope)
{
    private readonly ExpressionScope _scope = scope;

    public List<SqlCompileError> Errors { get; } = [];

    private CompiledExpression Fail(string message, SqlExpr at)
    {
        Errors.Add(new SqlCompileError(message, at.Position, at.Length));
        return CompiledExpression.Error;
    }

    public CompiledExpression CompileWhere(SqlExpr? where) => Compile(where);

    public CompiledExpression Compile(SqlExpr? expr)
    {
        if (expr is null)
        {
            return CompiledExpression.Static(SqlValueSemantics.True);
        }

        switch (expr)
        {
            case LiteralExpr lit:
                return CompiledExpression.Static(lit.Value);
            case ColumnRefExpr col:
                return CompileRef(col);
            case BinaryExpr bin:
                return CompileBinary(bin);
            case UnaryExpr un:
                return CompileUnary(un);
            case CallExpr call:
                return CompileCall(call);
            case MemberExpr member:
                return CompileMember(member);
            case CastExpr cast:
                {
                    var type = cast.TypeName.ToLowerInvariant();
                    if (type is not ("text" or "numeric" or "integer" or "real" or "blob"))
                    {
                        return Fail($"CAST not supported for '{type}': use text, numeric, integer, real or blob", cast);
                    }

                    var operand = Compile(cast.Operand);
                    return Compose([operand], [cast.Operand], a => SqlValueSemantics.Cast(a[0], type), $"cast_{type}", "operator_cast");
                }

            case SubqueryExpr sub:
                return Fail("Subqueries are only supported in Sync Streams (IN (SELECT ...)), not here", sub);
            case UnsupportedExpr u:
                return Fail($"{u.What} is not supported", u);
            default:
                return Fail($"{expr.GetType().Name} not supported here", expr);
        }
    }

    private CompiledExpression CompileRef(ColumnRefExpr col)
    {
        if (col.Column == "*")
        {
            return Fail("* not supported here", col);
        }

        if (col.Schema is not null)
        {
            return Fail("Schema is not supported in column references", col);
        }

        var table = col.Table ?? _scope.DefaultTable ?? string.Empty;
        if (_scope.ParameterTables.Contains(table))
        {
            var key = $"{table}.{col.Column}";
            if (table == "bucket")
            {
                return CompiledExpression.ForParameter(key, null);
            }

            var column = col.Column;
            return CompiledExpression.ForParameter(key, r => r.Lookup(table, column));
        }

        if (_scope.ValueTables.Contains(table))
        {
            var column = col.Column;
            return CompiledExpression.ForRow(row => row.TryGetValue(column, out var v) ? v : SqliteValue.Null);
        }

        if (col.Table is null)
        {
            return Fail($"Table name required: '{col.Column}' cannot be resolved without a FROM table", col);
        }

        return Fail($"Undefined reference: {col.Table}.{col.Column}", col);
    }

    private CompiledExpression CompileBinary(BinaryExpr bin)
    {
        var left = Compile(bin.Left);
        var right = Compile(bin.Right);
        if (left.Kind == CompiledExpressionKind.Error || right.Kind == CompiledExpressionKind.Error)
        {
            return CompiledExpression.Error;
        }

        try
        {
            switch (bin.Op)
            {
                case "AND":
                    return ConditionOperators.And(left, right);
                case "OR":
                    return ConditionOperators.Or(left, right);
                case "=":
                    return CompileEquals(bin, left, right);
                case "IN":
                    return CompileIn(bin, left, right, overlap: false);
                case "&&" when _scope.SupportsOverlap:
                    return CompileIn(bin, left, right, overlap: true);
                case "!=" or "<" or ">" or "<=" or ">=":
                    {
                        var op = bin.Op;
                        return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Comparison(op, a[0], a[1]), op, "operator" + op);
                    }

                case "+" or "-" or "*" or "/":
                    {
                        var op = bin.Op[0];
                        return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Arithmetic(op, a[0], a[1]), bin.Op, "operator" + op);
                    }

                case "||":
                    return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Concat(a[0], a[1]), "||", "operator||");
                case "IS":
                    return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Bool(SqlValueSemantics.Compare(a[0], a[1]) == 0), "IS", "operatorIS");
                case "IS NOT":
                    return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Bool(SqlValueSemantics.Compare(a[0], a[1]) != 0), "IS NOT", "operatorIS NOT");
                default:
                    return Fail($"Operator not supported: {bin.Op}", bin);
            }
        }
        catch (SqlEvaluationException e)
        {
            return Fail(e.Message, bin);
        }
    }

    private CompiledExpression CompileEquals(BinaryExpr bin, CompiledExpression left, CompiledExpression right)
    {
        if (_scope.SupportsParameterExpressions && left.IsParameterValue && right.IsParameterValue)
        {
            return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Comparison("=", a[0], a[1]), "=", "operator=");
        }

        if (!left.IsRowValue && !right.IsRowValue)
        {
            return Fail("Cannot have bucket parameters on both sides of = operator", bin);
        }

        var (rowSide, other) = left.IsRowValue ? (left, right) : (right, left);
        if (other.IsRowValue)
        {
            return Compose([left, right], [bin.Left, bin.Right], a => SqlValueSemantics.Comparison("=", a[0], a[1]), "=", "operator=");
        }

        if (other.Kind == CompiledExpressionKind.Parameter)
        {
            return ConditionOperators.RowEqualsParameter(rowSide, other);
        }

        return Fail("Parameter match clauses cannot be used here", bin);
    }

    internal CompiledExpression CompileIn(BinaryExpr bin, CompiledExpression left, CompiledExpression right, bool overlap)
    {
        var name = overlap ? "&&" : "IN";
        var (kind, error) = ComposeKind([left, right], [bin.Left, bin.Right], overlap ? "operator&&" : "operatorIN");
        if (kind is not null)
        {
            return Compose([left, right], [bin.Left, bin.Right], overlap ? a => SqlValueSemantics.Overlap(a[0], a[1]) : a => SqlValueSemantics.In(a[0], a[1]), name, "operator" + name);
        }

        if (left.Kind == CompiledExpressionKind.Parameter && right.Kind == CompiledExpressionKind.Row)
        {
            return ConditionOperators.ParameterInRowArray(left, right, overlap);
        }

        if (_scope.SupportsExpandingParameters && left.Kind == CompiledExpressionKind.Row && right.Kind == CompiledExpressionKind.Parameter)
        {
            return ConditionOperators.RowInParameterArray(left, right, overlap);
        }

        return Fail(error!.Value.Message, error.Value.At);
    }

    /// <summary><c>NOT condition</c> (Sync Streams push negations into simple conditions).</summary>
    internal CompiledExpression Negate(CompiledExpression condition, SqlExpr at) =>
        Compose([condition], [at], a => SqlValueSemantics.Bool(!SqlValueSemantics.IsTrue(a[0])), "NOT", "operator_not");

    /// <summary>Records an error found by a caller (the stream compiler) at an expression.</summary>
    internal void Report(string message, SqlExpr at) => Fail(message, at);

    private CompiledExpression CompileUnary(UnaryExpr un)
    {
        var operand = Compile(un.Operand);
        return un.Op switch
        {
            "NOT" => Compose([operand], [un.Operand], a => SqlValueSemantics.Bool(!SqlValueSemantics.IsTrue(a[0])), "NOT", "operator_not"),
            "IS NULL" => Compose([operand], [un.Operand], a => SqlValueSemantics.Bool(a[0].IsNull), "IS NULL", "operator_is_null"),
            "IS NOT NULL" => Compose([operand], [un.Operand], a => SqlValueSemantics.Bool(!a[0].IsNull), "IS NOT NULL", "operator_is_not_null"),
            _ => Fail($"Operator {un.Op} is not supported", un),
        };
    }

    private CompiledExpression CompileMember(MemberExpr member)
    {
        if (member.Member is not LiteralExpr { Value.Type: SqliteType.Text } path)
        {
            return member.Member is LiteralExpr
                ? Fail($"Unsupported member operation {member.Op}: only a string literal key may follow {member.Op}", member)
                : Fail($"Only a string literal may follow {member.Op} (e.g. {member.Op} 'key')", member.Member);
        }

        var operand = Compile(member.Operand);
        var functions = _scope.Functions;
        var op = member.Op;
        var pathValue = path.Value;
        return Compose([operand, CompiledExpression.Static(pathValue)], [member.Operand, member], a => functions.JsonExtract(a[0], a[1], op), op, "operator" + op);
    }

    private CompiledExpression CompileCall(CallExpr call) => call.Schema is null ? CompileFunctionCall(call) : CompileRequestCall(call, call.Schema);

    /// <summary>A SQL function such as <c>upper(x)</c> or <c>json_extract(x, '$.a')</c>.</summary>
    private CompiledExpression CompileFunctionCall(CallExpr call)
    {
        var fn = _scope.Functions.Find(call.Name.ToLowerInvariant());
        if (fn is null)
        {
            return Fail($"Function '{call.Name}' is not defined", call);
        }

        if (fn.Name == "substring" && call.Args.Count == 1)
        {
            // The official parser reads substring(x) as the SQL-standard substring(x FROM ...) form and rejects it.
            return Fail("substring takes 2 or 3 arguments: substring(text, start[, length])", call);
        }

        var args = call.Args.Select(Compile).ToList();
        if (call.Args.Count < fn.MinArgs || call.Args.Count > fn.MaxArgs)
        {
            // The official legacy evaluator does not check arity (compat note 16), and neither do we: a
            // missing argument is undefined (NULL, and an output column that is undefined is left out of
            // the data, as `iif(x, y)` without an else), extra arguments are ignored.
            while (args.Count < fn.MinArgs)
            {
                args.Add(CompiledExpression.Static(SqliteValue.Undefined));
            }

            if (args.Count > fn.MaxArgs)
            {
                args.RemoveRange(fn.MaxArgs, args.Count - fn.MaxArgs);
            }
        }

        var impl = fn.Call;
        var exprs = call.Args.Count == args.Count ? call.Args : Enumerable.Repeat<SqlExpr>(call, args.Count).ToList();
        return Compose(args, exprs, a => impl(a), fn.Name, fn.Name);
    }

    /// <summary>A request function such as <c>request.user_id()</c> or <c>auth.parameter('x')</c>, where the query kind allows its schema.</summary>
    private CompiledExpression CompileRequestCall(CallExpr call, string schema)
    {
        if (!_scope.ParameterFunctionSchemas.Contains(schema))
        {
            if (schema is "request" or "auth" or "subscription" or "connection")
            {
                return Fail($"{schema} schema is not available in {_scope.QueryKind}", call);
            }

            return Fail($"Function '{schema}.{call.Name}' is not defined", call);
        }

        var requestFn = RequestFunctions.Find(schema, call.Name);
        if (requestFn is null)
        {
            return Fail($"Function '{schema}.{call.Name}' is not defined", call);
        }

        if (call.Args.Count != requestFn.ArgumentCount)
        {
            return Fail($"Function '{schema}.{call.Name}' takes {requestFn.ArgumentCount} arguments.", call);
        }

        var compiled = call.Args.Select(Compile).ToList();
        for (var i = 0; i < compiled.Count; i++)
        {
            if (!compiled[i].IsParameterValue)
            {
                return compiled[i].Kind == CompiledExpressionKind.Error ? CompiledExpression.Error : Fail("Must only depend on data derived from request.", call.Args[i]);
            }
        }

        var evals = compiled.Select(c => c.RequestEvaluator).ToArray();
        var body = requestFn.Call;
        var key = $"{schema}.{call.Name}({string.Join(',', compiled.Select(c => c.Key))})";
        return CompiledExpression.ForParameter(key, r =>
        {
            var a = new SqliteValue[evals.Length];
            for (var i = 0; i < a.Length; i++)
            {
                a[i] = evals[i](r);
            }

            return body(r, a);
        });
    }

    private (string? Kind, (string Message, SqlExpr At)? Error) ComposeKind(IReadOnlyList<CompiledExpression> args, IReadOnlyList<SqlExpr> exprs, string debugName)
    {
        var kind = "static";
        for (var i = 0; i < args.Count; i++)
        {
            var c = args[i];
            var at = exprs[Math.Min(i, exprs.Count - 1)];
            switch (c.Kind)
            {
                case CompiledExpressionKind.Static:
                    break;
                case CompiledExpressionKind.Parameter:
                    if (!_scope.SupportsParameterExpressions)
                    {
                        return (null, (debugName == "operatorIN"
                            ? "Cannot use bucket parameters on the right side of IN operators"
                            : "Cannot use bucket parameters in expressions", at));
                    }

                    if (kind == "row")
                    {
                        return (null, ("Cannot use table values and parameters in the same clauses", at));
                    }

                    kind = "param";
                    break;
                case CompiledExpressionKind.Row:
                    if (kind == "param")
                    {
                        return (null, ("Cannot use table values and parameters in the same clauses", at));
                    }

                    kind = "row";
                    break;
                default:
                    return (null, ("Parameter match clauses cannot be used here", at));
            }
        }

        return (kind, null);
    }

    private CompiledExpression Compose(IReadOnlyList<CompiledExpression> args, IReadOnlyList<SqlExpr> exprs, Func<SqliteValue[], SqliteValue> fn, string keyName, string debugName)
    {
        if (args.Any(a => a.Kind == CompiledExpressionKind.Error))
        {
            return CompiledExpression.Error;
        }

        var (kind, error) = ComposeKind(args, exprs, debugName);
        if (kind is null)
        {
            return Fail(error!.Value.Message, error.Value.At);
        }

        if (kind == "static")
        {
            try
            {
                return CompiledExpression.Static(fn(args.Select(a => a.Value).ToArray()));
            }
            catch (SqlEvaluationException e)
            {
                // Legacy constant folding: a failure on literals rejects the query.
                return Fail(e.Message, exprs[^1]);
            }
        }

        if (kind == "row")
        {
            var evals = args.Select(a => a.RowEvaluator).ToArray();
            return evals.Length switch
            {
                1 => CompiledExpression.ForRow(row => fn([evals[0](row)])),
                2 => CompiledExpression.ForRow(row => fn([evals[0](row), evals[1](row)])),
                _ => CompiledExpression.ForRow(row =>
                {
                    var a = new SqliteValue[evals.Length];
                    for (var i = 0; i < a.Length; i++)
                    {
                        a[i] = evals[i](row);
                    }

                    return fn(a);
                }),
            };
        }

        var pevals = args.Select(a => a.RequestEvaluatorOrNull).ToArray();
        var key = $"{keyName}({string.Join(',', args.Select(a => a.Key))})";
        if (pevals.Any(p => p is null))
        {
            return CompiledExpression.ForParameter(key, null);
        }

        return CompiledExpression.ForParameter(key, r =>
        {
            var a = new SqliteValue[pevals.Length];
            for (var i = 0; i < a.Length; i++)
            {
                a[i] = pevals[i]!(r);
            }

            return fn(a);
        });
    }
}
