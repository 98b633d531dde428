using PowerSync.Core;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;
using System.Text;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Evaluates one expression as a data-query column over a fixed row, and renders the result the way
/// the oracle script does: <c>type|JSONBig value</c>, <c>blob|HEX</c>, COMPILE_ERROR, ROW_ERROR, or undefined (the column is left out of the data).
/// </summary>
internal static class ExpressionHarness
{
    /// <summary>The row every expression case is evaluated against (mirrors the oracle script).</summary>
    public static readonly IReadOnlyDictionary<string, SqliteValue> Row = new Dictionary<string, SqliteValue>
    {
        ["id"] = SqliteValue.FromText("r1"),
        ["i"] = SqliteValue.FromInteger(3),
        ["neg"] = SqliteValue.FromInteger(-7),
        ["big"] = SqliteValue.FromInteger(long.MaxValue),
        ["r"] = SqliteValue.FromReal(2.5),
        ["w"] = SqliteValue.FromReal(4.0),
        ["z"] = SqliteValue.FromInteger(0),
        ["t"] = SqliteValue.FromText("abc"),
        ["num"] = SqliteValue.FromText("12.5xyz"),
        ["n"] = SqliteValue.Null,
        ["b"] = SqliteValue.FromBlob([1, 2, 255]),
        ["j"] = SqliteValue.FromText("{\"a\":{\"b\":1},\"c\":null,\"d\":[1,2.0],\"e\":1.0,\"a.b\":\"dot\",\"10\":\"ten\",\"2\":\"two\",\"f\":true,\"g\":12345678901234567890}"),
        ["arr"] = SqliteValue.FromText("[1,2,\"x\",null]"),
        ["u"] = SqliteValue.FromText("ßtraße ﬁ İ"),
        ["emoji"] = SqliteValue.FromText("a😀b"),
        ["ts"] = SqliteValue.FromText("2023-03-06 15:47:12.4"),
        ["tz"] = SqliteValue.FromText("2023-03-06T13:47:00.000Z"),
        ["sp"] = SqliteValue.FromText("  -12abc"),
    };

    public static string Evaluate(string expression, int edition)
    {
        var scope = new ExpressionScope
        {
            ValueTables = ["t"],
            DefaultTable = "t",
            ParameterTables = ["bucket"],
            Functions = new SqlFunctions(fixedJsonExtract: edition >= 2),
            QueryKind = "data queries",
        };
        CompiledExpression clause;
        try
        {
            var compiler = new ExpressionCompiler(scope);
            clause = compiler.Compile(SqlParser.ParseExpression(expression));
            if (compiler.Errors.Count > 0 || !clause.IsRowValue)
            {
                return "COMPILE_ERROR";
            }
        }
        catch (SqlSyntaxException)
        {
            return "COMPILE_ERROR";
        }

        SqliteValue value;
        try
        {
            value = clause.RowEvaluator(Row);
        }
        catch (SqlEvaluationException)
        {
            return "ROW_ERROR";
        }

        return Render(value);
    }

    /// <summary>A value as the oracle renders it: <c>type|JSON</c>, <c>blob|HEX</c> or <c>undefined</c>.</summary>
    public static string Render(SqliteValue value)
    {
        if (value.Type == SqliteType.Blob)
        {
            return "blob|" + Convert.ToHexString(value.AsBlob);
        }

        if (value.IsUndefined)
        {
            return "undefined";
        }

        var sb = new StringBuilder(SqlValueSemantics.TypeOf(value)).Append('|');
        JsonText.AppendDataValue(sb, value);
        return sb.ToString();
    }
}
