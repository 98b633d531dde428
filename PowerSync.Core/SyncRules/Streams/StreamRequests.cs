using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>Resolves a request's buckets for one stream: its explicit subscriptions plus the default subscription.</summary>
internal static class StreamRequests
{
    public static void Resolve(SyncStream stream, RequestParameters request, string bucketPrefix, Action<ResolvedBucket> addStatic, List<DynamicBucketSource> dynamic, List<EvaluationError> errors)
    {
        var subscriptions = request.Subscriptions.Where(s => string.Equals(s.Stream, stream.Name, StringComparison.Ordinal)).ToList();
        var hasExplicitDefault = false;
        foreach (var subscription in subscriptions)
        {
            var context = request.Context;
            if (subscription.ParametersJson is null)
            {
                hasExplicitDefault = true;
            }
            else if (JsonParser.TryParse(subscription.ParametersJson, plainNumbers: true) is { Kind: JsonKind.Object } parameters)
            {
                context = context.WithStreamParameters(parameters);
            }
            else
            {
                errors.Add(new EvaluationError(stream.Name, "Subscription parameters must be a JSON object") { Subscription = subscription });
                continue;
            }

            ResolveOne(stream, context, subscription.PriorityOverride ?? stream.Priority, new BucketInclusion(subscription), bucketPrefix, addStatic, dynamic, errors);
        }

        // As upstream: an auto-subscribed stream that the client subscribes to explicitly also gets its default
        // subscription, even when the client opted out of default streams (include_defaults: false).
        if (stream.AutoSubscribe && (request.IncludeDefaultStreams || subscriptions.Count > 0) && !hasExplicitDefault)
        {
            ResolveOne(stream, request.Context, stream.Priority, BucketInclusion.Default, bucketPrefix, addStatic, dynamic, errors);
        }
    }

    private static void ResolveOne(SyncStream stream, RequestContext context, int priority, BucketInclusion reason, string bucketPrefix, Action<ResolvedBucket> addStatic, List<DynamicBucketSource> dynamic, List<EvaluationError> errors)
    {
        try
        {
            foreach (var variant in stream.Variants)
            {
                if (variant.PartialRequest(context) is not { } partial)
                {
                    continue;
                }

                if (variant.Subqueries.Count == 0)
                {
                    foreach (var values in StreamVariant.Product(partial!))
                    {
                        addStatic(new ResolvedBucket(stream.BucketId(bucketPrefix, variant, values), priority, stream.Name) { InclusionReasons = [reason] });
                    }
                }
                else
                {
                    dynamic.Add(new StreamBucketSource(bucketPrefix, stream, variant, partial, priority, reason, context));
                }
            }
        }
        catch (SqlEvaluationException e)
        {
            errors.Add(new EvaluationError(stream.Name, "Error evaluating bucket ids: " + e.Message) { Subscription = reason.Subscription });
        }
    }
}
