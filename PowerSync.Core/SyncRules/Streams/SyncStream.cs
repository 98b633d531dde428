using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>A compiled Sync Stream (edition 2 alpha semantics).</summary>
internal sealed class SyncStream(string name, bool autoSubscribe, int priority, DataQuery data, IReadOnlyList<StreamVariant> variants, IReadOnlyList<CompiledSubquery> subqueries)
{
    /// <summary>
    /// The stream's <c>priority:</c> (default 3). Deliberate deviation (compat note 13): the official
    /// alpha parser ignores it and always uses 3; we honour it, like its compiled (edition 3) streams.
    /// A subscription's priority override still wins.
    /// </summary>
    public int Priority { get; } = priority;

    public string Name { get; } = name;

    public bool AutoSubscribe { get; } = autoSubscribe;

    public DataQuery Data { get; } = data;

    public IReadOnlyList<StreamVariant> Variants { get; } = variants;

    public IReadOnlyList<CompiledSubquery> Subqueries { get; } = subqueries;

    /// <summary>Evaluates a row; each variant is evaluated on its own (a failing variant does not hide the others, as upstream).</summary>
    public void EvaluateRow(string tableName, IReadOnlyDictionary<string, SqliteValue> row, string bucketPrefix, List<EvaluatedRow> output, Action<string> onError)
    {
        (string ObjectType, string Id, string Data)? built = null;
        foreach (var variant in Variants)
        {
            List<List<ParamValue>> instantiations;
            try
            {
                instantiations = variant.InstantiationsForRow(row);
            }
            catch (SqlEvaluationException e)
            {
                onError(e.Message);
                continue;
            }

            if (instantiations.Count == 0)
            {
                continue;
            }

            built ??= Data.BuildRow(tableName, row);
            foreach (var instantiation in instantiations)
            {
                output.Add(new EvaluatedRow(BucketId(bucketPrefix, variant, instantiation), built.Value.ObjectType, built.Value.Id, built.Value.Data));
            }
        }
    }

    public string BucketId(string bucketPrefix, StreamVariant variant, IReadOnlyList<ParamValue> values)
    {
        var sb = new StringBuilder(bucketPrefix).Append(Name).Append('|').Append(variant.Id).Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            values[i].AppendTo(sb);
        }

        return sb.Append(']').ToString();
    }
}
