namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Scenarios (YAML, rows, parameter rows, requests) with the results of the official evaluator
/// (npm @powersync/service-sync-rules 0.38.1), generated once; the suite runs without node.
/// </summary>
internal static class OfficialScenariosC
{
    public static readonly string[] Cases =
    [
        """
        {"name": "star skips underscore columns and keeps earlier values", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT upper(name) AS name, *, 'x' AS id2 FROM t\n      - SELECT NULL AS name, * FROM u\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "name": "a", "_secret": "s", "n": {"i": "1"}}}, {"table": "u", "row": {"id": "2", "name": "b"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"name\":\"A\",\"id\":\"1\",\"n\":1,\"id2\":\"x\"}"], "errors": 0}, {"rows": ["g[]|u|2|{\"name\":\"b\",\"id\":\"2\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "columns override in order", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, a AS x, b AS x, c AS id FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "a": "A", "b": "B", "c": {"i": "9"}}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|9|{\"id\":9,\"x\":\"B\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "data json number formats", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, a / 3 AS third, a * 1.0 AS whole, a / 1000000000 AS tiny, 0.0 * -1 AS negz, length(a) AS l FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "a": {"r": "7"}}}, {"table": "t", "row": {"id": "2", "a": {"i": "7"}}}, {"table": "t", "row": {"id": "3", "a": {"r": "123456789.125"}}}, {"table": "t", "row": {"id": "4", "a": {"r": "1e300"}}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"id\":\"1\",\"third\":2.3333333333333335,\"whole\":7.0,\"tiny\":7e-9,\"negz\":0.0,\"l\":1}"], "errors": 0}, {"rows": ["g[]|t|2|{\"id\":\"2\",\"third\":2,\"whole\":7.0,\"tiny\":0,\"negz\":0.0,\"l\":1}"], "errors": 0}, {"rows": ["g[]|t|3|{\"id\":\"3\",\"third\":41152263.041666664,\"whole\":123456789.125,\"tiny\":0.123456789125,\"negz\":0.0,\"l\":13}"], "errors": 0}, {"rows": ["g[]|t|4|{\"id\":\"4\",\"third\":3.3333333333333335e+299,\"whole\":1e+300,\"tiny\":1.0000000000000001e+291,\"negz\":0.0,\"l\":6}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "string escapes in data and bucket ids", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT * FROM t WHERE owner = bucket.u\n", "version": null, "rows": [{"table": "t", "row": {"id": "q", "owner": "a\"b\\c\u0001\u001f\u007f\u2028\u00e9\ud83d\ude00"}}, {"table": "t", "row": {"id": "r", "owner": "<script>&'"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"a\\\"b\\\\c\\u0001\\u001f\\u007f\\u2028\u00e9\ud83d\ude00\"}"}, {"jwt": "{\"sub\":\"<script>&'\"}"}], "rowResults": [{"rows": ["b[\"a\\\"b\\\\c\\u0001\\u001f\u007f\u2028\u00e9\ud83d\ude00\"]|t|q|{\"id\":\"q\",\"owner\":\"a\\\"b\\\\c\\u0001\\u001f\u007f\u2028\u00e9\ud83d\ude00\"}"], "errors": 0}, {"rows": ["b[\"<script>&'\"]|t|r|{\"id\":\"r\",\"owner\":\"<script>&'\"}"], "errors": 0}], "requestResults": [["b[\"a\\\"b\\\\c\\u0001\\u001f\u007f\u2028\u00e9\ud83d\ude00\"]|3"], ["b[\"<script>&'\"]|3"]]}
        """,
        """
        {"name": "bucket ids from numbers", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT * FROM t WHERE n = bucket.u\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "n": {"r": "0.1"}}}, {"table": "t", "row": {"id": "2", "n": {"r": "1e21"}}}, {"table": "t", "row": {"id": "3", "n": {"r": "-0"}}}, {"table": "t", "row": {"id": "4", "n": {"r": "1e-7"}}}, {"table": "t", "row": {"id": "5", "n": {"i": "-9223372036854775808"}}}, {"table": "t", "row": {"id": "6", "n": {"b": "00"}}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":0.1}"}, {"jwt": "{\"sub\":1e21}"}, {"jwt": "{\"sub\":-0}"}, {"jwt": "{\"sub\":null}"}], "rowResults": [{"rows": ["b[0.1]|t|1|{\"id\":\"1\",\"n\":0.1}"], "errors": 0}, {"rows": ["b[1e+21]|t|2|{\"id\":\"2\",\"n\":1e+21}"], "errors": 0}, {"rows": ["b[0]|t|3|{\"id\":\"3\",\"n\":0.0}"], "errors": 0}, {"rows": ["b[1e-7]|t|4|{\"id\":\"4\",\"n\":1e-7}"], "errors": 0}, {"rows": ["b[-9223372036854775808]|t|5|{\"id\":\"5\",\"n\":-9223372036854775808}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["b[0.1]|3"], ["b[1e+21]|3"], ["b[0]|3"], ["b[null]|3"]]}
        """,
        """
        {"name": "wildcard table", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT * FROM \"todos_%\"\n      - SELECT id, _table_suffix AS s FROM \"todos_%\" AS all_todos\n", "version": null, "rows": [{"table": "todos_2024", "row": {"id": "1"}}, {"table": "todos", "row": {"id": "2"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|all_todos|1|{\"id\":\"1\",\"s\":\"2024\"}", "g[]|todos_2024|1|{\"id\":\"1\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "fixed json extract in where", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  b:\n    parameters: SELECT request.jwt() ->> 'org' AS org\n    data:\n      - SELECT id, meta ->> 'a.b' AS ab, meta -> 'n' AS n FROM t WHERE meta ->> 'org' = bucket.org\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "meta": "{\"org\":\"o1\",\"a.b\":1,\"a\":{\"b\":2},\"n\":null}"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"org\":\"o1\"}"}], "rowResults": [{"rows": ["b[\"o1\"]|t|1|{\"id\":\"1\",\"ab\":1,\"n\":\"null\"}"], "errors": 0}], "requestResults": [["b[\"o1\"]|3"]]}
        """,
        """
        {"name": "in with scalar json exact", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t WHERE n IN '[9007199254740993, 2]'\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "n": {"i": "9007199254740993"}}}, {"table": "t", "row": {"id": "2", "n": {"i": "9007199254740992"}}}, {"table": "t", "row": {"id": "3", "n": {"r": "2"}}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"id\":\"1\"}"], "errors": 0}, {"rows": [], "errors": 0}, {"rows": ["g[]|t|3|{\"id\":\"3\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "lookup with numeric types", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT org_id FROM m WHERE uid = token_parameters.uid\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "m", "row": {"uid": {"i": "5"}, "org_id": "a"}}, {"table": "m", "row": {"uid": {"r": "5"}, "org_id": "b"}}, {"table": "m", "row": {"uid": "5", "org_id": "c"}}, {"table": "m", "row": {"uid": {"r": "5.5"}, "org_id": "d"}}], "requests": [{"jwt": "{\"sub\":\"u\",\"parameters\":{\"uid\":5}}"}, {"jwt": "{\"sub\":\"u\",\"parameters\":{\"uid\":\"5\"}}"}, {"jwt": "{\"sub\":\"u\",\"parameters\":{\"uid\":5.5}}"}], "rowResults": [], "requestResults": [["b[\"a\"]|3", "b[\"b\"]|3"], ["b[\"c\"]|3"], ["b[\"d\"]|3"]]}
        """,
        """
        {"name": "lookup output values", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT org_id, region FROM m WHERE uid = request.user_id()\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "m", "row": {"uid": "u", "org_id": {"i": "1"}, "region": {"r": "2.5"}}}, {"table": "m", "row": {"uid": "u", "org_id": null, "region": "x"}}, {"table": "m", "row": {"uid": "u", "org_id": "z"}}], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [], "requestResults": [["b[\"z\",null]|3", "b[1,2.5]|3", "b[null,\"x\"]|3"]]}
        """,
        """
        {"name": "global bucket with where", "yaml": "bucket_definitions:\n  pub:\n    data:\n      - SELECT id, title FROM posts WHERE published = 1 AND json_array_length(tags) > 1\n", "version": null, "rows": [{"table": "posts", "row": {"id": "1", "published": {"i": "1"}, "tags": "[1,2]", "title": "T"}}, {"table": "posts", "row": {"id": "2", "published": {"i": "1"}, "tags": "[1]"}}, {"table": "posts", "row": {"id": "3", "published": {"i": "0"}, "tags": "[1,2]"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["pub[]|posts|1|{\"id\":\"1\",\"title\":\"T\"}"], "errors": 0}, {"rows": [], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "static query with null value", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT token_parameters.org AS org\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"parameters\":{\"org\":null}}"}, {"jwt": "{\"sub\":\"u\"}"}, {"jwt": "{\"sub\":\"u\",\"parameters\":{\"org\":[1,2]}}"}], "rowResults": [], "requestResults": [["b[null]|3"], ["b[null]|3"], ["b[\"[1.0,2.0]\"]|3"]]}
        """,
        """
        {"name": "static query where false", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u WHERE request.jwt() ->> 'role' = 'admin'\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"role\":\"admin\"}"}, {"jwt": "{\"sub\":\"u\",\"role\":\"user\"}"}], "rowResults": [], "requestResults": [["b[\"u\"]|3"], []]}
        """,
        """
        {"name": "priority yaml and two definitions", "yaml": "bucket_definitions:\n  hi:\n    priority: 0\n    data:\n      - SELECT * FROM t\n  lo:\n    data:\n      - SELECT * FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "1"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [{"rows": ["hi[]|t|1|{\"id\":\"1\"}", "lo[]|t|1|{\"id\":\"1\"}"], "errors": 0}], "requestResults": [["hi[]|0", "lo[]|3"]]}
        """,
        """
        {"name": "json each over object and nested", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT value AS v FROM json_each(request.jwt() -> 'o')\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"o\":{\"a\":\"x\",\"b\":2}}"}, {"jwt": "{\"sub\":\"u\",\"o\":\"notjson\"}"}, {"jwt": "{\"sub\":\"u\"}"}], "rowResults": [], "requestResults": [["b[\"x\"]|3", "b[2]|3"], ["b[\"notjson\"]|3"], []]}
        """,
        """
        {"name": "request parameter in lookup IN", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: SELECT id AS p FROM projects WHERE id IN request.parameters() -> 'ids' AND owner = request.user_id()\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "projects", "row": {"id": "p1", "owner": "u"}}, {"table": "projects", "row": {"id": "p2", "owner": "v"}}], "requests": [{"jwt": "{\"sub\":\"u\"}", "params": "{\"ids\":[\"p1\",\"p2\"]}"}], "rowResults": [], "requestResults": [["b[\"p1\"]|3"]]}
        """,
    ];
}
