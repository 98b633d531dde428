using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// Lists the source tables a compiled query reads and the columns it reads from their rows, with YAML
/// positions. Names resolve as the expression compiler resolves them: an unqualified column, or one qualified
/// with the FROM table's name or alias, is a row column; <c>bucket.*</c>, <c>token_parameters.*</c> and
/// function calls such as <c>request.user_id()</c> are not. Subqueries are listed as tables of their own.
/// </summary>
internal static class TableReferenceCollector
{
    /// <summary>The pseudo-column wildcard tables expose (the part of the name the <c>%</c> matched).</summary>
    private const string TableSuffixColumn = "_table_suffix";

    public static void Collect(SqlSource source, SourceQueryKind kind, string queryName, string defaultSchema, List<SourceTableReference> output)
    {
        SelectStatement select;
        try
        {
            select = SqlParser.ParseSelect(source.Sql);
        }
        catch (SqlSyntaxException)
        {
            return; // reported by the compiler already
        }

        Collect(source, select, kind, queryName, defaultSchema, output);
    }

    private static void Collect(SqlSource source, SelectStatement select, SourceQueryKind kind, string queryName, string defaultSchema, List<SourceTableReference> output)
    {
        if (select.From is not { Function: null } from)
        {
            return; // no FROM (request values only) or json_each: no source table
        }

        var table = new SourceTablePattern(from.Schema ?? defaultSchema, from.Name);
        var columns = new List<SourceColumnReference>();
        var subqueries = new List<SelectStatement>();
        var selectsAll = false;
        foreach (var column in select.Columns)
        {
            if (column.Expr is ColumnRefExpr { Column: "*" })
            {
                selectsAll = true;
            }
            else
            {
                Walk(column.Expr);
            }
        }

        Walk(select.Where);
        var (line, col) = source.Locate(from.Position);
        output.Add(new SourceTableReference(table, kind, queryName, line, col, columns, selectsAll));
        foreach (var subquery in subqueries)
        {
            Collect(source, subquery, SourceQueryKind.StreamSubquery, queryName, defaultSchema, output);
        }

        void Walk(SqlExpr? expr)
        {
            switch (expr)
            {
                case ColumnRefExpr { Schema: null, Column: not "*" } reference
                    when (reference.Table is null || reference.Table == from.EffectiveName)
                         && !(table.IsWildcard && reference.Column == TableSuffixColumn):
                    var (refLine, refColumn) = source.Locate(reference.Position);
                    columns.Add(new SourceColumnReference(reference.Column, refLine, refColumn));
                    break;
                case CallExpr call:
                    foreach (var arg in call.Args) Walk(arg);
                    break;
                case BinaryExpr binary:
                    Walk(binary.Left);
                    Walk(binary.Right);
                    break;
                case UnaryExpr unary:
                    Walk(unary.Operand);
                    break;
                case MemberExpr member:
                    Walk(member.Operand);
                    Walk(member.Member);
                    break;
                case CastExpr cast:
                    Walk(cast.Operand);
                    break;
                case SubqueryExpr subquery:
                    subqueries.Add(subquery.Select);
                    break;
            }
        }
    }
}
