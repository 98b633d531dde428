using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// Checks one <c>event_definitions</c> payload query (<c>SELECT user_id, checkpoint FROM checkpoints</c>): one table,
/// columns over its rows. Write events are not raised by this service; the queries are checked so that a
/// configuration the official service accepts is accepted here, and one it rejects is rejected.
/// </summary>
internal static class EventQueryCompiler
{
    /// <summary>Reports the query's problems; true when it has none.</summary>
    public static bool Check(SqlSource source, SyncRulesConfig config, ErrorSink errors)
    {
        if (QueryChecks.Parse(source, errors) is not { } select)
        {
            return false;
        }

        var ok = QueryChecks.ReportUnsupported(source, select, errors);
        if (select.From is not { Function: null } from)
        {
            errors.AddSql(source, select.From?.Position ?? 0, "Must SELECT from a single table", SyncRulesErrorCodes.SqlInvalid);
            return false;
        }

        var compiler = new ExpressionCompiler(new ExpressionScope
        {
            ValueTables = [from.EffectiveName],
            DefaultTable = from.EffectiveName,
            ParameterTables = [],
            Functions = new SqlFunctions(config.FixedJsonExtract),
            QueryKind = "event payload queries",
        });
        foreach (var column in select.Columns)
        {
            if (column.Expr is ColumnRefExpr { Column: "*" })
            {
                continue;
            }

            if (compiler.Compile(column.Expr) is { Kind: not CompiledExpressionKind.Error } compiled && !compiled.IsRowValue)
            {
                errors.AddSql(source, column.Expr.Position, "Event payload columns can only use the row's columns and literals", SyncRulesErrorCodes.SqlInvalid);
                ok = false;
            }
        }

        return QueryChecks.ReportCompileErrors(source, compiler.Errors, errors) && ok;
    }
}
