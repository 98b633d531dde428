namespace PowerSync.Core.SyncRules.Yaml;

/// <summary>The <c>config:</c> section: the edition and its switches, storage version and timestamp precision.</summary>
internal sealed partial class SyncRulesYamlReader
{
    private static SyncRulesConfig ReadConfig(YamlTreeNode node, ErrorSink problems)
    {
        var config = SyncRulesConfig.ForEdition(1);
        if (node is not YamlMap map)
        {
            Report(problems, node, "config must be a mapping (e.g. 'edition: 2')", SyncRulesErrorCodes.InvalidValue);
            return config;
        }

        switch (map.Get("edition"))
        {
            case YamlAliasRef:
                // Not followed: the official reader compares the alias node itself with edition numbers, and every
                // comparison is false: edition-1 compatibility switches, yet streams are not refused.
                config = SyncRulesConfig.ForEdition(1) with { Edition = 2 };
                break;
            case { } editionNode:
                var edition = ReadInt(editionNode, "edition", problems);
                if (edition is 1 or 2 or 3)
                {
                    config = SyncRulesConfig.ForEdition(edition.Value);
                }
                else if (edition is not null)
                {
                    Report(problems, editionNode, $"edition must be 1, 2 or 3, not {edition}", SyncRulesErrorCodes.InvalidValue);
                }

                break;
        }

        YamlTreeNode? sqliteEngine = null;
        foreach (var (key, value) in map.Pairs)
        {
            if (key is YamlAliasRef)
            {
                continue;
            }

            var name = NameOf(key);
            switch (name)
            {
                case "edition":
                    break;
                case "timestamps_iso8601":
                    config = config with { TimestampsIso8601 = ReadBool(value, name, problems) ?? config.TimestampsIso8601 };
                    break;
                case "versioned_bucket_ids":
                    config = config with { VersionedBucketIds = ReadBool(value, name, problems) ?? config.VersionedBucketIds };
                    break;
                case "fixed_json_extract":
                    config = config with { FixedJsonExtract = ReadBool(value, name, problems) ?? config.FixedJsonExtract };
                    break;
                case "custom_postgres_types":
                    config = config with { CustomPostgresTypes = ReadBool(value, name, problems) ?? config.CustomPostgresTypes };
                    break;
                case "storage_version":
                    config = config with { StorageVersion = ReadStorageVersion(value, problems) };
                    break;
                case "timestamp_max_precision":
                    config = config with { TimestampMaxPrecision = ReadTimestampPrecision(value, problems) };
                    break;
                case "unstable_sqlite_expression_engine":
                    // Accepted as the official service accepts it; this evaluator's results are the same either way.
                    sqliteEngine = ReadBool(value, name, problems) == true ? key : null;
                    break;
                default:
                    Report(problems, key, $"Unknown config key '{name}': expected edition, storage_version, timestamps_iso8601, timestamp_max_precision, versioned_bucket_ids, fixed_json_extract, custom_postgres_types or unstable_sqlite_expression_engine", SyncRulesErrorCodes.UnknownKey);
                    break;
            }
        }

        if (sqliteEngine is not null && config.Edition < 2)
        {
            Report(problems, sqliteEngine, "Enabling unstable_sqlite_expression_engine requires edition 2 or later", SyncRulesErrorCodes.InvalidValue);
        }
        else if (sqliteEngine is not null && !config.FixedJsonExtract)
        {
            Report(problems, sqliteEngine, "Enabling unstable_sqlite_expression_engine requires fixed_json_extract", SyncRulesErrorCodes.InvalidValue);
        }

        if (config.TimestampMaxPrecision is not null && !config.TimestampsIso8601)
        {
            Report(problems, map, "'timestamp_max_precision' requires 'timestamps_iso8601' to be enabled", SyncRulesErrorCodes.InvalidValue);
        }

        return config;
    }

    /// <summary>An integer: a scalar whose value is a whole number (<c>2</c>, <c>2.0</c>, <c>0x2</c>, <c>!!int "2"</c>; not <c>"2"</c>).</summary>

    /// <summary><c>storage_version</c>: 2 (stable) or 3 (unstable, with a warning), as the official service accepts.</summary>
    private static int? ReadStorageVersion(YamlTreeNode node, ErrorSink problems)
    {
        if (node is not YamlScalarValue { Value: { Kind: JsKind.Number } value })
        {
            Report(problems, node, "Storage version must be numeric", SyncRulesErrorCodes.InvalidValue);
            return null;
        }

        switch (value.Number)
        {
            case 2:
                return 2;
            case 3:
                Report(problems, node.Start, "Storage version 3 is unstable, and may cause unexpected behavior or stop functioning in any release", SyncRulesErrorCodes.SqlWarning, warning: true);
                return 3;
            default:
                Report(problems, node, $"Storage version {value.Text} is not supported: use 2 (or the unstable 3)", SyncRulesErrorCodes.InvalidValue);
                return null;
        }
    }

    /// <summary><c>timestamp_max_precision</c>: the fraction digits of seconds, milliseconds, microseconds or nanoseconds (an alias is not followed: none).</summary>
    private static int? ReadTimestampPrecision(YamlTreeNode node, ErrorSink problems)
    {
        if (node is YamlAliasRef)
        {
            return null;
        }

        int? digits = node is YamlScalarValue { Value.Kind: JsKind.String } s
            ? s.Value.Text switch
            {
                "seconds" => 0,
                "milliseconds" => 3,
                "microseconds" => 6,
                "nanoseconds" => 9,
                _ => null,
            }
            : null;
        if (digits is null)
        {
            Report(problems, node, "timestamp_max_precision must be seconds, milliseconds, microseconds or nanoseconds", SyncRulesErrorCodes.InvalidValue);
        }

        return digits;
    }
}
