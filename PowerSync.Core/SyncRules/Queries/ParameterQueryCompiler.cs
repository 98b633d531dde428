using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Compiles one <c>parameters:</c> query into a static, table-lookup or json_each query.</summary>
internal static class ParameterQueryCompiler
{
    private static readonly string[] ParameterTables = ["token_parameters", "user_parameters"];

    public static ParameterQuery? Compile(SqlSource source, string definition, int index, SyncRulesConfig config, string defaultSchema, ErrorSink errors)
    {
        SelectStatement select;
        try
        {
            select = SqlParser.ParseSelect(source.Sql);
        }
        catch (SqlSyntaxException e)
        {
            errors.AddSql(source, e.Position, e.Message, SyncRulesErrorCodes.SqlSyntax);
            return null;
        }

        var ok = QueryChecks.ReportUnsupported(source, select, errors);
        var from = select.From;
        var isJsonEach = from?.Function is not null;
        if (isJsonEach && !string.Equals(from!.Function!.Name, "json_each", StringComparison.Ordinal))
        {
            errors.AddSql(source, from.Position, $"Table-valued function '{from.Function.Name}' is not supported: only json_each(...) is", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        if (from is { Alias: not null, Function: null })
        {
            errors.AddSql(source, from.Position, "Table aliases not supported in parameter queries: use the table name", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        var valueTable = from?.EffectiveName;
        var scope = new ClauseScope
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
        var compiler = new ClauseCompiler(scope);
        int? priority = null;
        var columns = new List<(string Name, Clause Clause, SqlExpr Expr)>();
        foreach (var column in select.Columns)
        {
            var name = column.Alias ?? (column.Expr as ColumnRefExpr)?.Column;
            if (column.Expr is ColumnRefExpr { Column: "*" })
            {
                errors.AddSql(source, column.Expr.Position, "* is not supported here - use explicit columns", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
                continue;
            }

            if (name is null)
            {
                errors.AddSql(source, column.Expr.Position, "alias is required: add AS <name> after this expression", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
                continue;
            }

            if (name == "_priority")
            {
                if (column.Expr is not LiteralExpr { Value.Type: SqliteType.Integer } lit)
                {
                    errors.AddSql(source, column.Expr.Position, "Priority must be a simple integer literal", SyncRulesErrorCodes.SqlInvalid);
                    ok = false;
                }
                else if (lit.Value.AsInteger is < 0 or > 3)
                {
                    errors.AddSql(source, column.Expr.Position, "Invalid value for priority, must be between 0 and 3 (inclusive).", SyncRulesErrorCodes.SqlInvalid);
                    ok = false;
                }
                else
                {
                    priority = (int)lit.Value.AsInteger;
                }

                continue;
            }

            columns.Add((name, compiler.Compile(column.Expr), column.Expr));
        }

        var where = compiler.CompileWhere(select.Where);
        ok &= QueryChecks.ReportCompileErrors(source, compiler.Errors, errors);
        if (!ok || where.Kind == ClauseKind.Error || columns.Any(c => c.Clause.Kind == ClauseKind.Error))
        {
            return null;
        }

        var usesClient = source.Sql.Contains("user_parameters", StringComparison.OrdinalIgnoreCase)
            || source.Sql.Contains("request.parameter", StringComparison.OrdinalIgnoreCase);
        var names = columns.Select(c => c.Name).ToList();
        if (from is null)
        {
            foreach (var c in columns.Where(c => !c.Clause.IsParameterValue))
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
                ? new StaticParameterQuery(definition, index, columns.Select(c => (c.Name, c.Clause.ParamEvaluator)).ToList(),
                    where.Kind == ClauseKind.Static && SqlValueOps.IsTrue(where.Value) ? null : where.ParamEvaluator, priority, usesClient)
                : null;
        }

        if (isJsonEach)
        {
            var fn = from.Function!;
            if (fn.Args.Count != 1)
            {
                errors.AddSql(source, fn.Position, "json_each takes exactly one argument", SyncRulesErrorCodes.SqlInvalid);
                return null;
            }

            var argCompiler = new ClauseCompiler(new ClauseScope
            {
                ValueTables = [],
                ParameterTables = ParameterTables,
                SupportsParameterExpressions = true,
                ParameterFunctionSchemas = ["request"],
                Functions = scope.Functions,
                QueryKind = "parameter queries",
            });
            var arg = argCompiler.Compile(fn.Args[0]);
            if (!QueryChecks.ReportCompileErrors(source, argCompiler.Errors, errors) || arg.Kind == ClauseKind.Error)
            {
                return null;
            }

            if (!arg.IsParameterValue)
            {
                errors.AddSql(source, fn.Args[0].Position, "The json_each argument must only depend on the request (e.g. request.jwt() -> 'ids')", SyncRulesErrorCodes.SqlInvalid);
                return null;
            }

            return new JsonEachParameterQuery(definition, index, arg.ParamEvaluator, columns.Select(c => (c.Name, c.Clause)).ToList(), where, config.FixedJsonExtract, priority, usesClient);
        }

        foreach (var c in columns)
        {
            if (c.Expr is not ColumnRefExpr && c.Expr is not LiteralExpr)
            {
                errors.AddSql(source, c.Expr.Position, "Expressions over row columns are not allowed in lookup-query outputs: select the column itself (e.g. org_id AS x)", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
            else if (!c.Clause.IsRowValue)
            {
                errors.AddSql(source, c.Expr.Position, "Lookup-query outputs must be columns of the table", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        var match = MatchCombinators.ToMatch(where);
        var table = new SourceTablePattern(from.Schema ?? defaultSchema, from.Name);
        return new TableParameterQuery(definition, index, table, columns.Select(c => (c.Name, c.Clause.RowEvaluator)).ToList(), match, priority, usesClient);
    }
}
