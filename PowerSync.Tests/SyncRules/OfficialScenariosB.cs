namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Scenarios (YAML, rows, parameter rows, requests) with the results of the official evaluator
/// (npm @powersync/service-sync-rules 0.38.1), generated once; the suite runs without node.
/// </summary>
internal static class OfficialScenariosB
{
    public static readonly string[] Cases =
    [
        """
        {"name": "parameter query 0: SELECT token_parameters.user_id AS user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.user_id AS user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 1: SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 2: SELECT json_each.value AS tag FROM json_each(request.parameters() -> 'tags')", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT json_each.value AS tag FROM json_each(request.parameters() -> 'tags')\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 3: SELECT request.user_id() AS user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 4: SELECT request.parameter('tenant_id') AS tenant_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.parameter('tenant_id') AS tenant_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 5: SELECT request.parameters() ->> 'org_id' AS org_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.parameters() ->> 'org_id' AS org_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 6: SELECT request.jwt() ->> 'sub' AS sub", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.jwt() ->> 'sub' AS sub\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 7: SELECT CAST(token_parameters.user_id AS text) AS user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT CAST(token_parameters.user_id AS text) AS user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 8: SELECT users.org_id AS org_id FROM users WHERE users.id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM users WHERE users.id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 9: SELECT users.org_id AS org_id FROM test_schema.users WHERE users.id = token_parameters.user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM test_schema.users WHERE users.id = token_parameters.user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 10: SELECT users.org_id AS org_id FROM users WHERE users.id = request.parameter('user_id')", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM users WHERE users.id = request.parameter('user_id')\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 11: SELECT json_each.value AS tag FROM json_each(request.parameter('tags'))", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT json_each.value AS tag FROM json_each(request.parameter('tags'))\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 12: SELECT json_each.value AS tag FROM json_each(request.parameters() -> 'tags') WHERE json_each.value IS NOT NULL", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT json_each.value AS tag FROM json_each(request.parameters() -> 'tags') WHERE json_each.value IS NOT NULL\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 13: SELECT token_parameters.user_id || '' AS user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.user_id || '' AS user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 14: SELECT (token_parameters.user_id) AS user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT (token_parameters.user_id) AS user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 15: SELECT request.parameters() -> 'profile' AS profile", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.parameters() -> 'profile' AS profile\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 16: SELECT request.parameter('features') ->> 'beta' AS beta", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.parameter('features') ->> 'beta' AS beta\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 17: SELECT CAST(request.parameter('limit') AS integer) AS limit_value", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT CAST(request.parameter('limit') AS integer) AS limit_value\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 18: SELECT token_parameters.user_id AS user_id WHERE request.user_id() IS NOT NULL", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.user_id AS user_id WHERE request.user_id() IS NOT NULL\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 19: SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id AND token_parameters.user_id IS NOT NULL", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id AND token_parameters.user_id IS NOT NULL\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 20: SELECT CAST(request.parameters() ->> 'org_id' AS text) AS org_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT CAST(request.parameters() ->> 'org_id' AS text) AS org_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 21: SELECT u.org_id AS org_id FROM users u WHERE u.id = token_parameters.user_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT u.org_id AS org_id FROM users u WHERE u.id = token_parameters.user_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 22: SELECT x FROM generate_series(1, 3) AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT x FROM generate_series(1, 3) AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 23: SELECT token_parameters.user_id AS user_id LIMIT 1", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.user_id AS user_id LIMIT 1\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 24: SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id OR users.id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT users.org_id AS org_id FROM users WHERE users.id = token_parameters.user_id OR users.id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 25: SELECT upper(org_id) AS x FROM users WHERE id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT upper(org_id) AS x FROM users WHERE id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 26: SELECT org_id FROM users WHERE id IN token_parameters.ids", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id IN token_parameters.ids\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 27: SELECT org_id FROM users WHERE request.user_id() IN member_ids", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE request.user_id() IN member_ids\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 28: SELECT org_id FROM users WHERE id = request.user_id() AND active = 1", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.user_id() AND active = 1\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 29: SELECT org_id FROM users WHERE id = upper(request.user_id())", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = upper(request.user_id())\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 30: SELECT org_id FROM users WHERE upper(id) = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE upper(id) = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 31: SELECT org_id FROM users WHERE id = request.user_id() + org_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.user_id() + org_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 32: SELECT * FROM users WHERE id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT * FROM users WHERE id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 33: SELECT org_id FROM users, orgs WHERE id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users, orgs WHERE id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 34: SELECT request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 35: SELECT nosuch.fn() AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT nosuch.fn() AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 36: SELECT request.nosuch() AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.nosuch() AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 37: SELECT request.user_id('x') AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id('x') AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 38: SELECT bucket.x AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT bucket.x AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 39: SELECT org_id FROM users WHERE id = bucket.x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = bucket.x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 40: SELECT 1 AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT 1 AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 41: SELECT 'a' || 'b' AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT 'a' || 'b' AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 42: SELECT json_keys('[1]') AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT json_keys('[1]') AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 43: SELECT uuid_blob('nope') AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT uuid_blob('nope') AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 44: SELECT token_parameters.x AS x WHERE token_parameters.y = 1 OR token_parameters.z = 2", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.x AS x WHERE token_parameters.y = 1 OR token_parameters.z = 2\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 45: SELECT value AS x FROM json_each(request.jwt() -> 'a') WHERE value = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT value AS x FROM json_each(request.jwt() -> 'a') WHERE value = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 46: SELECT value AS x, 1 AS _priority FROM json_each(request.jwt() -> 'a')", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT value AS x, 1 AS _priority FROM json_each(request.jwt() -> 'a')\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 47: SELECT request.user_id() AS x, 5 AS _priority", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id() AS x, 5 AS _priority\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 48: SELECT request.user_id() AS x, 'a' AS _priority", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id() AS x, 'a' AS _priority\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 49: SELECT org_id FROM users WHERE id = request.user_id() ORDER BY id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.user_id() ORDER BY id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 50: SELECT DISTINCT org_id FROM users WHERE id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT DISTINCT org_id FROM users WHERE id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 51: SELECT org_id FROM users WHERE id = request.user_id() GROUP BY org_id", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.user_id() GROUP BY org_id\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 52: SELECT CASE WHEN 1 THEN 2 END AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT CASE WHEN 1 THEN 2 END AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 53: SELECT request.user_id() AS x WHERE 1e3 = 1", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT request.user_id() AS x WHERE 1e3 = 1\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 54: SELECT token_parameters.a - token_parameters.b AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT token_parameters.a - token_parameters.b AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 55: SELECT -token_parameters.a AS x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT -token_parameters.a AS x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 56: SELECT org_id FROM users WHERE id NOT IN token_parameters.ids", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id NOT IN token_parameters.ids\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 57: SELECT org_id FROM users WHERE id = request.jwt() ->> 'sub'", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.jwt() ->> 'sub'\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 58: SELECT org_id FROM \"Users\" WHERE \"Id\" = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM \\\"Users\\\" WHERE \\\"Id\\\" = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 59: SELECT Org_Id FROM Users WHERE Id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT Org_Id FROM Users WHERE Id = request.user_id()\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 60: SELECT org_id FROM users WHERE id = request.user_id() AND id IN token_parameters.x", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id = request.user_id() AND id IN token_parameters.x\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "parameter query 61: SELECT org_id FROM users WHERE id IN token_parameters.a AND org_id IN token_parameters.b", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id IN token_parameters.a AND org_id IN token_parameters.b\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "parameter query 62: SELECT org_id FROM users WHERE id IN token_parameters.a AND request.user_id() IN orgs", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: \"SELECT org_id FROM users WHERE id IN token_parameters.a AND request.user_id() IN orgs\"\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 0: SELECT id FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 1: SELECT id FROM assets WHERE owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 2: SELECT id, name FROM assets WHERE owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id, name FROM assets WHERE owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 3: SELECT assets.id AS id FROM assets WHERE assets.owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT assets.id AS id FROM assets WHERE assets.owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 4: SELECT id FROM assets WHERE bucket.user_id = owner_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id = owner_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 5: SELECT id FROM assets WHERE owner_id = bucket.user_id AND id IS NOT NULL", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id AND id IS NOT NULL\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 6: SELECT id FROM test_schema.assets WHERE owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM test_schema.assets WHERE owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 7: SELECT id FROM assets WHERE (owner_id = bucket.user_id)", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE (owner_id = bucket.user_id)\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 8: SELECT id FROM assets WHERE owner_id = bucket.user_id OR bucket.user_id = owner_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id OR bucket.user_id = owner_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 9: SELECT id FROM assets WHERE owner_id = bucket.user_id AND id = id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id AND id = id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 10: SELECT id FROM assets WHERE owner_id = bucket.user_id AND (owner_id = bucket.user_id OR owner_id = bucket.user_id)", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id AND (owner_id = bucket.user_id OR owner_id = bucket.user_id)\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 11: SELECT assets.id FROM assets JOIN users ON users.id = assets.owner_id", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT assets.id FROM assets JOIN users ON users.id = assets.owner_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 12: SELECT upper(name) FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT upper(name) FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 13: SELECT id FROM assets", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 14: SELECT id FROM assets WHERE NOT (owner_id != bucket.user_id)", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE NOT (owner_id != bucket.user_id)\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 15: SELECT id FROM assets WHERE owner_id = bucket.user_id AND (bucket.user_id IS NOT NULL)", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id AND (bucket.user_id IS NOT NULL)\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 16: SELECT name FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT name FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 17: SELECT *, upper(name) AS u FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT *, upper(name) AS u FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 18: SELECT id FROM assets WHERE bucket.user_id IN owners", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id IN owners\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 19: SELECT id FROM assets WHERE owners IN bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owners IN bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 20: SELECT id FROM assets WHERE bucket.user_id IN owners AND bucket.x IN others", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id, request.user_id() AS x\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id IN owners AND bucket.x IN others\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 21: SELECT id FROM assets WHERE bucket.user_id IN owners AND x = bucket.x", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id, request.user_id() AS x\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id IN owners AND x = bucket.x\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 22: SELECT id FROM assets WHERE owner_id = bucket.user_id = 1", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id = 1\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 23: SELECT id FROM assets WHERE bucket.user_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 24: SELECT id, bucket.user_id AS u FROM assets WHERE owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id, bucket.user_id AS u FROM assets WHERE owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 25: SELECT id FROM assets WHERE owner_id = request.user_id()", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = request.user_id()\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 26: SELECT id FROM assets WHERE owner_id = token_parameters.user_id", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = token_parameters.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 27: SELECT id FROM assets a WHERE a.owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets a WHERE a.owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 28: SELECT id FROM assets WHERE other.owner_id = bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE other.owner_id = bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 29: SELECT id FROM json_each('[1]')", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM json_each('[1]')\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 30: SELECT", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 31: SELECT id FROM", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 32: SELECT id FROM assets WHERE", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets WHERE\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 33: SELECT id FROM assets LIMIT 5", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets LIMIT 5\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 34: SELECT id FROM assets ORDER BY id", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets ORDER BY id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 35: SELECT id, 1e3 AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, 1e3 AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 36: SELECT id, json_keys('[1]') AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, json_keys('[1]') AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 37: SELECT id, uuid_blob('x') AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, uuid_blob('x') AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 38: SELECT id, upper(name, 'x') AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, upper(name, 'x') AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 39: SELECT id, iif(name, 1) AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, iif(name, 1) AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 40: SELECT id, name -> 1 AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name -> 1 AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 41: SELECT id, name -> other AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name -> other AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 42: SELECT id, name % 2 AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name % 2 AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 43: SELECT id, CAST(name AS varchar) AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, CAST(name AS varchar) AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 44: SELECT id, name::text AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name::text AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 45: SELECT id, name NOT IN '[1]' AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name NOT IN '[1]' AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 46: SELECT id, name IS 1 AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name IS 1 AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 47: SELECT id, - name AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, - name AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 48: SELECT id, -1 AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, -1 AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 49: SELECT id, name LIKE 'a%' AS x FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, name LIKE 'a%' AS x FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 50: SELECT id, TRUE AS x, FALSE AS y, NULL AS z FROM assets", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id, TRUE AS x, FALSE AS y, NULL AS z FROM assets\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 51: SELECT id FROM assets WHERE owner_id = bucket.user_id OR name = 'x'", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE owner_id = bucket.user_id OR name = 'x'\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 52: SELECT id FROM assets WHERE bucket.user_id", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE bucket.user_id\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 53: SELECT id FROM assets WHERE upper(bucket.user_id) = name", "yaml": "bucket_definitions:\n  b:\n    parameters: \"SELECT request.user_id() AS user_id\"\n    data:\n      - \"SELECT id FROM assets WHERE upper(bucket.user_id) = name\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "data query 54: SELECT id FROM \"Assets\"", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM \\\"Assets\\\"\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
        """
        {"name": "data query 55: SELECT id FROM assets;", "yaml": "bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM assets;\"\n", "version": null, "rows": [], "paramRows": [], "requests": [], "rowResults": [], "requestResults": []}
        """,
    ];
}
