using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Compiles one <c>parameters:</c> query into a static, table-lookup or json_each query.</summary>
internal sealed class ParameterQueryCompiler(SqlSource source, string definition, int index, SyncRulesConfig config, ErrorSink errors, bool definitionHasPriority)
{
    private static readonly string[] ParameterTables = ["token_parameters", "user_parameters"];

    /// <summary>One output column: its name, compiled expression and the expression it came from.</summary>
    private sealed record Output(string Name, CompiledExpression Compiled, SqlExpr Expr);

    public static ParameterQuery? Compile(SqlSource source, string definition, int index, SyncRulesConfig config, string defaultSchema, ErrorSink errors, bool definitionHasPriority = false) =>
        QueryChecks.Parse(source, errors) is { } select
            ? new ParameterQueryCompiler(source, definition, index, config, errors, definitionHasPriority).Compile(select, defaultSchema)
            : null;

    private ParameterQuery? Compile(SelectStatement select, string defaultSchema)
    {
        var ok = QueryChecks.ReportUnsupported(source, select, errors);
        var from = select.From;
        if (!IsSupportedFrom(from))
        {
            return null;
        }

        var scope = Scope(from?.EffectiveName);
        var compiler = new ExpressionCompiler(scope);
        var (outputs, priority) = CompileOutputs(select, compiler, ref ok);
        var where = compiler.CompileWhere(select.Where);
        ok &= QueryChecks.ReportCompileErrors(source, compiler.Errors, errors);
        if (!ok || where.Kind == CompiledExpressionKind.Error || outputs.Any(c => c.Compiled.Kind == CompiledExpressionKind.Error))
        {
            return null;
        }

        var usesClient = IsPotentiallyDangerous(select, outputs);
        if (from is null)
        {
            return StaticQuery(select, outputs, where, priority, usesClient);
        }

        if (from.Function is { } function)
        {
            return JsonEachQuery(function, scope.Functions, outputs, where, priority, usesClient);
        }

        return TableQuery(new SourceTablePattern(from.Schema ?? defaultSchema, from.Name), outputs, where, priority, usesClient);
    }

    /// <summary>
    /// The official rule for the "potentially dangerous" warning: the query reads client parameters (user_parameters,
    /// request.parameter(s)) in its outputs or WHERE, and no output reads an authenticated value (request.user_id(),
    /// request.jwt(), token_parameters), nor, for a table lookup, its WHERE; a json_each argument counts as an output.
    /// </summary>
    private bool IsPotentiallyDangerous(SelectStatement select, List<Output> outputs)
    {
        var tableLookup = select.From is { Function: null };
        var where = select.Where is { } w ? Text(w) : string.Empty;
        var outputText = string.Concat(outputs.Select(o => Text(o.Expr) + "\n"))
            + (select.From?.Function is { } call ? string.Concat(call.Args.Select(a => Text(a) + "\n")) : string.Empty);
        var usesClient = ReadsClientParameters(where) || ReadsClientParameters(outputText);
        return usesClient && !ReadsAuthenticatedValues(outputText) && !(tableLookup && ReadsAuthenticatedValues(where));

        static bool ReadsClientParameters(string sql) =>
            sql.Contains("user_parameters", StringComparison.OrdinalIgnoreCase) || sql.Contains("request.parameter", StringComparison.OrdinalIgnoreCase);

        static bool ReadsAuthenticatedValues(string sql) =>
            sql.Contains("token_parameters", StringComparison.OrdinalIgnoreCase) || sql.Contains("request.user_id", StringComparison.OrdinalIgnoreCase)
            || sql.Contains("request.jwt", StringComparison.OrdinalIgnoreCase);
    }

    private string Text(SqlExpr expr) => source.Sql.Substring(expr.Position, Math.Min(expr.Length, source.Sql.Length - expr.Position));

    /// <summary>No FROM, a table without alias, or <c>json_each(...)</c>.</summary>
    private bool IsSupportedFrom(FromItem? from)
    {
        if (from?.Function is { } function && !string.Equals(function.Name, "json_each", StringComparison.Ordinal))
        {
            errors.AddSql(source, from.Position, $"Table-valued function '{function.Name}' is not supported: only json_each(...) is", SyncRulesErrorCodes.SqlInvalid);
            return false;
        }

        if (from is { Alias: not null, Function: null })
        {
            errors.AddSql(source, from.Position, "Table aliases not supported in parameter queries: use the table name", SyncRulesErrorCodes.SqlInvalid);
            return false;
        }

        return true;
    }

    private ExpressionScope Scope(string? valueTable) => new()
    {
        ValueTables = valueTable is null ? [] : [valueTable],
        DefaultTable = valueTable,
        ParameterTables = ParameterTables,
        SupportsParameterExpressions = true,
        SupportsExpandingParameters = true,
        ParameterFunctionSchemas = ["request"],
        Functions = new SqlFunctions(config.FixedJsonExtract),
        QueryKind = "parameter queries",
    };

    /// <summary>The named output columns, and the <c>_priority</c> column's value if there is one.</summary>
    private (List<Output> Outputs, int? Priority) CompileOutputs(SelectStatement select, ExpressionCompiler compiler, ref bool ok)
    {
        int? priority = null;
        var outputs = new List<Output>();
        foreach (var column in select.Columns)
        {
            var name = column.Alias ?? (column.Expr as ColumnRefExpr)?.Column;
            if (column.Expr is ColumnRefExpr { Column: "*" })
            {
                errors.AddSql(source, column.Expr.Position, "* is not supported here - use explicit columns", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
            else if (name is null)
            {
                errors.AddSql(source, column.Expr.Position, "alias is required: add AS <name> after this expression", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
            else if (name == "_priority" && select.From?.Function is not null)
            {
                // As upstream, a json_each query keeps _priority among its outputs (bucket parameters), besides
                // setting the priority: data queries must then cover bucket._priority.
                priority = ReadPriority(column.Expr, ref ok) ?? priority;
                outputs.Add(new Output(name, compiler.Compile(column.Expr), column.Expr));
            }
            else if (name == "_priority" && definitionHasPriority)
            {
                errors.AddSql(source, column.Expr.Position, "Cannot set priority multiple times: the definition has 'priority:' and this query a _priority column", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
            else if (name == "_priority")
            {
                priority = ReadPriority(column.Expr, ref ok) ?? priority;
            }
            else
            {
                outputs.Add(new Output(name, compiler.Compile(column.Expr), column.Expr));
            }
        }

        return (outputs, priority);
    }

    /// <summary>A <c>_priority</c> column: an integer literal from 0 to 3.</summary>
    private int? ReadPriority(SqlExpr expr, ref bool ok)
    {
        if (expr is not LiteralExpr { Value.Type: SqliteType.Integer } literal)
        {
            errors.AddSql(source, expr.Position, "Priority must be a simple integer literal", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
            return null;
        }

        if (literal.Value.IsBigInteger || literal.Value.AsInteger is < 0 or > 3)
        {
            errors.AddSql(source, expr.Position, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
            return null;
        }

        return (int)literal.Value.AsInteger;
    }

    /// <summary>No FROM: outputs and WHERE may only use request values and literals.</summary>
    private StaticParameterQuery? StaticQuery(SelectStatement select, List<Output> outputs, CompiledExpression where, int? priority, bool usesClient)
    {
        var ok = true;
        foreach (var c in outputs.Where(c => !c.Compiled.IsParameterValue))
        {
            errors.AddSql(source, c.Expr.Position, "Parameter queries without FROM can only use request values and literals", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
        }

        if (!where.IsParameterValue)
        {
            errors.AddSql(source, select.Where!.Position, "The WHERE of a parameter query without FROM can only use request values and literals", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
        }

        return ok
            ? new StaticParameterQuery(definition, index, outputs.Select(c => (c.Name, c.Compiled.RequestEvaluator)).ToList(),
                where.Kind == CompiledExpressionKind.Static && SqlValueSemantics.IsTrue(where.Value) ? null : where.RequestEvaluator, priority, usesClient)
            : null;
    }

    /// <summary><c>FROM json_each(request value)</c>: the argument may only depend on the request.</summary>
    private JsonEachParameterQuery? JsonEachQuery(CallExpr function, SqlFunctions functions, List<Output> outputs, CompiledExpression where, int? priority, bool usesClient)
    {
        if (function.Args.Count != 1)
        {
            errors.AddSql(source, function.Position, "json_each takes exactly one argument", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        var argCompiler = new ExpressionCompiler(new ExpressionScope
        {
            ValueTables = [],
            ParameterTables = ParameterTables,
            SupportsParameterExpressions = true,
            ParameterFunctionSchemas = ["request"],
            Functions = functions,
            QueryKind = "parameter queries",
        });
        var arg = argCompiler.Compile(function.Args[0]);
        if (!QueryChecks.ReportCompileErrors(source, argCompiler.Errors, errors) || arg.Kind == CompiledExpressionKind.Error)
        {
            return null;
        }

        if (!arg.IsParameterValue)
        {
            errors.AddSql(source, function.Args[0].Position, "The json_each argument must only depend on the request (e.g. request.jwt() -> 'ids')", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        return new JsonEachParameterQuery(definition, index, arg.RequestEvaluator, outputs.Select(c => (c.Name, c.Compiled)).ToList(), where, config.FixedJsonExtract, priority, usesClient);
    }

    /// <summary>
    /// <c>FROM table</c>: a lookup indexed by its WHERE. A plain column of the table is stored with the lookup; any
    /// other output (a request value or a literal, e.g. <c>request.user_id() AS u</c>) is evaluated per request.
    /// </summary>
    private TableParameterQuery? TableQuery(SourceTablePattern table, List<Output> outputs, CompiledExpression where, int? priority, bool usesClient)
    {
        var ok = true;
        var rowColumns = new List<(string, RowEvaluator)>();
        var requestColumns = new List<(string, RequestEvaluator)>();
        foreach (var c in outputs)
        {
            if (c.Expr is ColumnRefExpr && c.Compiled.Kind == CompiledExpressionKind.Row)
            {
                rowColumns.Add((c.Name, c.Compiled.RowEvaluator));
            }
            else if (c.Compiled.IsParameterValue)
            {
                requestColumns.Add((c.Name, c.Compiled.RequestEvaluator));
            }
            else
            {
                errors.AddSql(source, c.Expr.Position, "Expressions over row columns are not allowed in lookup-query outputs: select the column itself (e.g. org_id AS x), or a request value", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        var match = ConditionOperators.AsParameterMatch(where);
        return new TableParameterQuery(definition, index, table, outputs.Select(c => c.Name).ToList(), rowColumns, requestColumns, match, priority, usesClient);
    }
}
