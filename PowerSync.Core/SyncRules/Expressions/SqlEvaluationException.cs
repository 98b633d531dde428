namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>A runtime failure while evaluating an expression for one row or request (reported, not thrown out).</summary>
internal sealed class SqlEvaluationException(string message) : Exception(message);
