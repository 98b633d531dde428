namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Scenarios (YAML, rows, parameter rows, requests) with the results of the official evaluator
/// (npm @powersync/service-sync-rules 0.38.1), generated once; the suite runs without node.
/// </summary>
internal static class OfficialScenariosE
{
    public static readonly string[] Cases =
    [
        """
        {"name": "edition 2 request functions", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters:\n      - SELECT request.jwt() ->> 'a.b' AS x, request.parameter('a.b') AS y\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"a.b\":1,\"a\":{\"b\":2}}", "params": "{\"a.b\":3,\"a\":{\"b\":4}}"}], "rowResults": [], "requestResults": [["b[1,3]|3"]]}
        """,
        """
        {"name": "edition 1 request functions", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters:\n      - SELECT request.jwt() ->> 'a.b' AS x, request.parameter('a.b') AS y\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"a.b\":1,\"a\":{\"b\":2}}", "params": "{\"a.b\":3,\"a\":{\"b\":4}}"}], "rowResults": [], "requestResults": [["b[2,3]|3"]]}
        """,
        """
        {"name": "json each edition 2 null", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  b:\n    parameters: SELECT value AS p FROM json_each(request.jwt() -> 'ids')\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"ids\":[null,\"a\",1.0,2.5,false]}"}], "rowResults": [], "requestResults": [["b[\"a\"]|3", "b[0]|3", "b[1]|3", "b[2.5]|3", "b[null]|3"]]}
        """,
        """
        {"name": "user parameters objects", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters: SELECT user_parameters.o AS o, user_parameters.b AS b, user_parameters.f AS f\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}", "params": "{\"o\":{\"x\":[1,2.5,\"s\"]},\"b\":true,\"f\":1.5}"}], "rowResults": [], "requestResults": [["b[\"{\\\"x\\\":[1.0,2.5,\\\"s\\\"]}\",1,1.5]|3"]]}
        """,
        """
        {"name": "lookup with json column output and fan-in", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT org AS o FROM m WHERE request.user_id() IN users\n    data:\n      - SELECT * FROM docs WHERE org = bucket.o\n", "version": null, "rows": [{"table": "docs", "row": {"id": "d", "org": "x"}}], "paramRows": [{"table": "m", "row": {"org": "x", "users": "[\"u\",\"v\"]"}}, {"table": "m", "row": {"org": "y", "users": "[\"v\"]"}}, {"table": "m", "row": {"org": "z", "users": null}}], "requests": [{"jwt": "{\"sub\":\"u\"}"}, {"jwt": "{\"sub\":\"v\"}"}], "rowResults": [{"rows": ["b[\"x\"]|docs|d|{\"id\":\"d\",\"org\":\"x\"}"], "errors": 0}], "requestResults": [["b[\"x\"]|3"], ["b[\"x\"]|3", "b[\"y\"]|3"]]}
        """,
        """
        {"name": "lookup with two conditions", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT id AS p FROM projects WHERE org = token_parameters.org AND owner = request.user_id()\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "projects", "row": {"id": "p1", "org": "o", "owner": "u"}}, {"table": "projects", "row": {"id": "p2", "org": "o", "owner": "v"}}], "requests": [{"jwt": "{\"sub\":\"u\",\"parameters\":{\"org\":\"o\"}}"}, {"jwt": "{\"sub\":\"u\",\"parameters\":{\"org\":\"x\"}}"}], "rowResults": [], "requestResults": [["b[\"p1\"]|3"], []]}
        """,
        """
        {"name": "lookup with row filter", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT id AS p FROM projects WHERE owner = request.user_id() AND archived = 0\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "projects", "row": {"id": "p1", "owner": "u", "archived": {"i": "0"}}}, {"table": "projects", "row": {"id": "p2", "owner": "u", "archived": {"i": "1"}}}], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [], "requestResults": [["b[\"p1\"]|3"]]}
        """,
        """
        {"name": "lookup or same parameter", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT id AS p FROM projects WHERE owner = request.user_id() OR editor = request.user_id()\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "projects", "row": {"id": "p1", "owner": "u", "editor": "x"}}, {"table": "projects", "row": {"id": "p2", "owner": "x", "editor": "u"}}], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [], "requestResults": [["b[\"p1\"]|3", "b[\"p2\"]|3"]]}
        """,
        """
        {"name": "data where with json fn and cast", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT id, CAST(n AS text) AS ns, meta ->> 'k' AS k FROM t WHERE CAST(owner AS text) = bucket.u AND json_extract(meta, '$.on') = 1\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "owner": {"i": "5"}, "n": {"r": "2"}, "meta": "{\"k\":null,\"on\":true}"}}, {"table": "t", "row": {"id": "2", "owner": {"i": "5"}, "meta": "{\"on\":false}"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"5\"}"}], "rowResults": [{"rows": ["b[\"5\"]|t|1|{\"id\":\"1\",\"ns\":\"2\",\"k\":null}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["b[\"5\"]|3"]]}
        """,
        """
        {"name": "fan-out with bucket in lookup definition", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT id AS team FROM teams WHERE members LIKE request.user_id()\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "timestamps text in data", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, created_at, unixepoch(created_at) AS ts, datetime(created_at, 'subsec') AS dt FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "created_at": "2023-03-06T13:47:00.123456Z"}}, {"table": "t", "row": {"id": "2", "created_at": "2023-03-06 13:47:00"}}, {"table": "t", "row": {"id": "3", "created_at": "2023-03-06"}}, {"table": "t", "row": {"id": "4", "created_at": "0000-01-01T00:00:00"}}, {"table": "t", "row": {"id": "5", "created_at": "9999-12-31T23:59:59"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"id\":\"1\",\"created_at\":\"2023-03-06T13:47:00.123456Z\",\"ts\":1678110420,\"dt\":\"2023-03-06 13:47:00.123\"}"], "errors": 0}, {"rows": ["g[]|t|2|{\"id\":\"2\",\"created_at\":\"2023-03-06 13:47:00\",\"ts\":1678110420,\"dt\":\"2023-03-06 13:47:00.000\"}"], "errors": 0}, {"rows": ["g[]|t|3|{\"id\":\"3\",\"created_at\":\"2023-03-06\",\"ts\":1678060800,\"dt\":\"2023-03-06 00:00:00.000\"}"], "errors": 0}, {"rows": ["g[]|t|4|{\"id\":\"4\",\"created_at\":\"0000-01-01T00:00:00\",\"ts\":-62167219200,\"dt\":\"0000-01-01 00:00:00.000\"}"], "errors": 0}, {"rows": ["g[]|t|5|{\"id\":\"5\",\"created_at\":\"9999-12-31T23:59:59\",\"ts\":253402300799,\"dt\":\"9999-12-31 23:59:59.000\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "hex and base64 of blobs in data", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, hex(b) AS h, base64(b) AS b64, length(b) AS l, b FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "b": {"b": "00ff10"}}}, {"table": "t", "row": {"id": "2", "b": null}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"id\":\"1\",\"h\":\"00FF10\",\"b64\":\"AP8Q\",\"l\":3}"], "errors": 0}, {"rows": ["g[]|t|2|{\"id\":\"2\",\"h\":\"\",\"b64\":\"\",\"l\":null,\"b\":null}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "uuid blob roundtrip", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, hex(uuid_blob(id)) AS h, base64(uuid_blob(id)) AS b FROM t\n", "version": null, "rows": [{"table": "t", "row": {"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}}, {"table": "t", "row": {"id": "not-a-uuid"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|6ba7b810-9dad-11d1-80b4-00c04fd430c8|{\"id\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\",\"h\":\"6BA7B8109DAD11D180B400C04FD430C8\",\"b\":\"a6e4EJ2tEdGAtADAT9QwyA==\"}"], "errors": 0}, {"rows": [], "errors": 1}], "requestResults": []}
        """,
    ];
}
