using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Checks shared by every kind of query.</summary>
internal static class QueryChecks
{
    /// <summary>Parses the query; a syntax error is reported and gives null.</summary>
    public static SelectStatement? Parse(SqlSource source, ErrorSink errors)
    {
        try
        {
            return SqlParser.ParseSelect(source.Sql);
        }
        catch (SqlSyntaxException e)
        {
            errors.AddSql(source, e.Position, e.Message, SyncRulesErrorCodes.SqlSyntax);
            return null;
        }
    }

    /// <summary>Reports clauses the parser accepted but sync rules do not support; false if any.</summary>
    public static bool ReportUnsupported(SqlSource source, SelectStatement select, ErrorSink errors)
    {
        foreach (var w in select.CaseWarnings)
        {
            errors.AddSql(source, w.Position, w.Message, SyncRulesErrorCodes.SqlWarning, warning: true);
        }

        foreach (var u in select.Unsupported)
        {
            errors.AddSql(source, u.Position, u.Message, SyncRulesErrorCodes.SqlInvalid);
        }

        foreach (var extra in select.ExtraFrom)
        {
            if (select.Unsupported.Count == 0)
            {
                errors.AddSql(source, extra.Position, "Only one table is supported per query: move the other table to its own query", SyncRulesErrorCodes.SqlInvalid);
            }
        }

        return select.Unsupported.Count == 0 && select.ExtraFrom.Count == 0;
    }

    /// <summary>Copies the compiler's errors and warnings; false if there were errors.</summary>
    public static bool ReportCompileErrors(SqlSource source, IEnumerable<SqlCompileError> compileErrors, ErrorSink errors)
    {
        var ok = true;
        foreach (var e in compileErrors)
        {
            errors.AddSql(source, e.Position, e.Message, e.IsWarning ? SyncRulesErrorCodes.SqlWarning : SyncRulesErrorCodes.SqlInvalid, e.IsWarning);
            ok &= e.IsWarning;
        }

        return ok;
    }
}
