using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Compiles one <c>data:</c> query, or the SELECT list and FROM of a stream query, into a <see cref="DataQuery"/>.</summary>
internal sealed class DataQueryCompiler(SqlSource source, SelectStatement select, ErrorSink errors)
{
    public static DataQuery? Compile(SqlSource source, IReadOnlyList<string> bucketParameters, SyncRulesConfig config, string defaultSchema, ErrorSink errors) =>
        QueryChecks.Parse(source, errors) is { } select ? Compile(source, select, bucketParameters, config, defaultSchema, errors) : null;

    /// <summary>Compiles a parsed SELECT; streams pass a statement without WHERE (they compile it themselves).</summary>
    public static DataQuery? Compile(SqlSource source, SelectStatement select, IReadOnlyList<string> bucketParameters, SyncRulesConfig config, string defaultSchema, ErrorSink errors) =>
        new DataQueryCompiler(source, select, errors).Compile(bucketParameters, config, defaultSchema);

    private DataQuery? Compile(IReadOnlyList<string> bucketParameters, SyncRulesConfig config, string defaultSchema)
    {
        var ok = QueryChecks.ReportUnsupported(source, select, errors);
        if (SourceTable() is not { } from)
        {
            return null;
        }

        var compiler = new ExpressionCompiler(new ExpressionScope
        {
            ValueTables = [from.EffectiveName],
            DefaultTable = from.EffectiveName,
            ParameterTables = ["bucket"],
            Functions = new SqlFunctions(config.FixedJsonExtract),
            QueryKind = "data queries",
        });
        var (columns, hasId) = CompileColumns(from, compiler, ref ok);
        var where = compiler.CompileWhere(select.Where);
        ok &= QueryChecks.ReportCompileErrors(source, compiler.Errors, errors);
        if (!ok || where.Kind == CompiledExpressionKind.Error)
        {
            return null;
        }

        if (!hasId)
        {
            errors.AddSql(source, select.Position, "Query must return an \"id\" column: add e.g. `id` or `<expr> AS id` to the SELECT list", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        var match = ConditionOperators.AsParameterMatch(where);
        var parameterKeys = bucketParameters.Select(p => "bucket." + p).ToArray();
        if (!CoversBucketParameters(match, bucketParameters, parameterKeys))
        {
            return null;
        }

        var table = new SourceTablePattern(from.Schema ?? defaultSchema, from.Name);
        return new DataQuery(table, from.Alias, columns.ToArray(), match, parameterKeys);
    }

    /// <summary>The one FROM table (not a table-valued function), or null when there is none.</summary>
    private FromItem? SourceTable()
    {
        if (select.From is null)
        {
            errors.AddSql(source, select.Position, "Data queries must have a FROM table: SELECT ... FROM table", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        if (select.From.Function is not null)
        {
            errors.AddSql(source, select.From.Position, "Table-valued functions such as json_each are only supported in parameter queries", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        return select.From;
    }

    /// <summary>The output columns (null for <c>*</c>), and whether they include the id.</summary>
    private (List<(string, RowEvaluator, string?)?> Columns, bool HasId) CompileColumns(FromItem from, ExpressionCompiler compiler, ref bool ok)
    {
        var columns = new List<(string, RowEvaluator, string?)?>();
        var hasId = false;
        foreach (var column in select.Columns)
        {
            if (column.Expr is ColumnRefExpr { Column: "*" } star)
            {
                if (star.Table is not null && star.Table != from.EffectiveName)
                {
                    errors.AddSql(source, star.Position, $"Undefined table {star.Table}", SyncRulesErrorCodes.SqlInvalid);
                    ok = false;
                }

                columns.Add(null);
                hasId = true;
                continue;
            }

            var name = column.Alias ?? (column.Expr as ColumnRefExpr)?.Column;
            if (name is null)
            {
                errors.AddSql(source, column.Expr.Position, "alias is required: add AS <name> after this expression", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
                continue;
            }

            var expression = compiler.Compile(column.Expr);
            if (expression.Kind == CompiledExpressionKind.Error)
            {
                continue;
            }

            if (!expression.IsRowValue)
            {
                errors.AddSql(source, column.Expr.Position, "Parameter match expression is not allowed here: output columns can only use row values", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
                continue;
            }

            hasId |= name == "id";
            columns.Add((name, expression.RowEvaluator, column.Expr is ColumnRefExpr c ? c.Column : null));
        }

        return (columns, hasId);
    }

    /// <summary>The WHERE uses exactly the definition's bucket parameters (<c>bucket.p</c>), each of them.</summary>
    private bool CoversBucketParameters(ParameterMatch match, IReadOnlyList<string> bucketParameters, string[] expected)
    {
        var ok = true;
        var actual = match.Inputs.Select(i => i.Key).ToList();
        foreach (var key in actual.Where(k => !expected.Contains(k)))
        {
            errors.AddSql(source, select.Where?.Position ?? 0,
                key.StartsWith("bucket.", StringComparison.Ordinal)
                    ? $"Bucket parameter '{key}' is not defined: the parameter queries of this definition return [{string.Join(", ", bucketParameters)}]"
                    : $"'{key}' cannot be used in a data query WHERE expression", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
        }

        if (ok && !expected.All(actual.Contains))
        {
            errors.AddSql(source, select.Where?.Position ?? select.Position,
                $"Query must cover all bucket parameters. Expected: [{string.Join(", ", expected)}] Got: [{string.Join(", ", actual)}]", SyncRulesErrorCodes.SqlInvalid);
            ok = false;
        }

        return ok;
    }
}
