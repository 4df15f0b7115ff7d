using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>
/// Malformed requests generated from the live OpenAPI document, for every operation: wrong types, missing fields, huge
/// strings, negative and overflowing numbers, invalid GUIDs and dates, unknown enum values, deep JSON, invalid UTF-8 and
/// wrong content types. Nothing may answer 5xx, every error must be a ProblemDetails document, and a rejected request
/// must not have committed anything (SQLite's data_version moves whenever another connection commits).
/// </summary>
public sealed class FuzzTests
{
    private const int RequestsPerOperation = 100;
    private const int Seed = 20261125;

    private sealed record Operation(string Method, string Path, List<JsonObject> Parameters, JsonObject? BodySchema);

    [Fact]
    public async Task MalformedRequestsToEveryOperationAreRefusedWithProblemDetailsAndWriteNothing()
    {
        await using var app = await TestApp.StartAsync(settings: new()
        {
            ["RateLimits:RequestsPerKey"] = "1000000",
            ["RateLimits:UploadsPerKey"] = "1000000",
            // The event projector and the document refresher commit in the background; off, so that data_version moves only with the requests.
            ["Webhooks:Enabled"] = "false",
            ["Compliance:RefresherEnabled"] = "false",
        });
        var world = await SampleWorld.BuildAsync(app);
        var document = JsonNode.Parse(await (await world.Admin.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync())!.AsObject();
        var operations = Operations(document).ToList();
        var random = new Random(Seed);
        await using var watcher = new SqliteConnection(app.Database.ConnectionString);
        await watcher.OpenAsync();
        var failures = new List<string>();
        var sent = 0;
        var byStatus = new Dictionary<int, int>();

        foreach (var operation in operations)
        {
            for (var i = 0; i < RequestsPerOperation; i++)
            {
                var (request, description) = Malformed(operation, i, random, world, document);
                var before = await DataVersion(watcher);
                var response = await world.Admin.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (status >= 500)
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: {status} {await response.Content.ReadAsStringAsync()}");
                }
                else if (status >= 400 && mediaType != "application/problem+json")
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: {status} as {mediaType}");
                }
                else if (status >= 400 && await DataVersion(watcher) != before)
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: refused with {status} but the database changed");
                }
            }
        }

        Assert.True(operations.Count >= 50, $"Only {operations.Count} operations in the OpenAPI document.");
        Assert.True(sent >= 5000, $"Only {sent} requests were sent.");
        // The generator must mostly produce requests the service has to refuse, or it proves nothing.
        var refused = byStatus.Where(s => s.Key >= 400).Sum(s => s.Value);
        Assert.True(refused >= sent * 3 / 4, $"Only {refused} of {sent} requests were refused: {string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} malformed requests (seed {Seed}) were mishandled:\n" + string.Join('\n', failures.Take(40)));
    }

    /// <summary>
    /// Systematic mutations of a valid body, for every operation that takes JSON: each property (at any depth) omitted,
    /// each property null, each array empty, and the bodies <c>{}</c> and <c>null</c>. None may reach code as null (5xx).
    /// </summary>
    [Fact]
    public async Task EachPropertyOmittedNullOrEmptiedInEveryOperationIsRefusedWithoutA5xx()
    {
        await using var app = await TestApp.StartAsync(settings: new()
        {
            ["RateLimits:RequestsPerKey"] = "1000000",
            ["RateLimits:UploadsPerKey"] = "1000000",
            // The event projector and the document refresher commit in the background; off, so that data_version moves only with the requests.
            ["Webhooks:Enabled"] = "false",
            ["Compliance:RefresherEnabled"] = "false",
        });
        var world = await SampleWorld.BuildAsync(app);
        var document = JsonNode.Parse(await (await world.Admin.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync())!.AsObject();
        var operations = Operations(document).Where(o => o.BodySchema is not null).ToList();
        var random = new Random(Seed);
        await using var watcher = new SqliteConnection(app.Database.ConnectionString);
        await watcher.OpenAsync();
        var failures = new List<string>();
        var sent = 0;

        foreach (var operation in operations)
        {
            var valid = ValidValue("body", operation.BodySchema!, document, random, world, 0)!;
            var mutations = new List<(string Description, string Body)> { ("body {}", "{}"), ("body null", "null") };
            foreach (var (path, parent, key) in Properties(valid, "$"))
            {
                mutations.Add(($"{path} omitted", Mutate(valid, path, node => Remove(node, key))));
                mutations.Add(($"{path} null", Mutate(valid, path, node => Set(node, key, null))));
                if (Child(parent, key) is JsonArray)
                {
                    mutations.Add(($"{path} empty", Mutate(valid, path, node => Set(node, key, new JsonArray()))));
                }
            }
            if (valid is JsonArray)
            {
                mutations.Add(("$ empty", "[]"));
                mutations.Add(("$[0] null", "[null]"));
            }
            foreach (var (description, body) in mutations)
            {
                var url = operation.Path;
                foreach (var parameter in operation.Parameters.Where(p => p["in"]?.GetValue<string>() == "path"))
                {
                    var name = parameter["name"]!.GetValue<string>();
                    url = url.Replace("{" + name + "}", ValidPathValue(operation.Path, name, world));
                }
                var before = await DataVersion(watcher);
                var response = await world.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Method), url)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                });
                sent++;
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: {status} {Shorten(await response.Content.ReadAsStringAsync())}");
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: {status} as {response.Content.Headers.ContentType?.MediaType}");
                }
                else if (status >= 400 && await DataVersion(watcher) != before)
                {
                    failures.Add($"{operation.Method} {operation.Path} [{description}]: refused with {status} but the database changed");
                }
            }
        }

        Assert.True(operations.Count >= 20, $"Only {operations.Count} operations with a JSON body in the OpenAPI document.");
        Assert.True(sent >= 200, $"Only {sent} requests were sent.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} mutated requests were mishandled:\n" + string.Join('\n', failures.Take(60)));
    }

    /// <summary>Every property of every object in the tree (array elements included), with its JSON path, parent and key.</summary>
    private static IEnumerable<(string Path, JsonNode Parent, object Key)> Properties(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    yield return ($"{path}.{name}", o, name);
                    if (child is not null)
                    {
                        foreach (var inner in Properties(child, $"{path}.{name}")) yield return inner;
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } element)
                    {
                        yield return ($"{path}[{i}]", a, i);
                        foreach (var inner in Properties(element, $"{path}[{i}]")) yield return inner;
                    }
                }
                break;
        }
    }

    private static JsonNode? Child(JsonNode parent, object key) => key is string name ? parent[name] : parent[(int)key];

    /// <summary>A copy of the body with <paramref name="change"/> applied to the parent of <paramref name="path"/>.</summary>
    private static string Mutate(JsonNode body, string path, Action<JsonNode> change)
    {
        var copy = body.DeepClone();
        var parentPath = path[..Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['))];
        change(Properties(copy, "$").Select(p => (p.Path, Node: Child(p.Parent, p.Key))).Prepend(("$", copy)).First(p => p.Item1 == parentPath).Item2!);
        return copy.ToJsonString();
    }

    private static void Remove(JsonNode parent, object key)
    {
        if (parent is JsonObject o) o.Remove((string)key);
        else parent.AsArray().RemoveAt((int)key);
    }

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o) o[(string)key] = value;
        else parent.AsArray()[(int)key] = value;
    }

    private static async Task<long> DataVersion(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static IEnumerable<Operation> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var parameters = operation["parameters"]?.AsArray().Select(p => Resolve(document, p!).AsObject()).ToList() ?? [];
                var content = operation["requestBody"]?["content"]?.AsObject();
                var schema = content?["application/json"]?["schema"] is { } s ? Resolve(document, s).AsObject() : null;
                yield return new Operation(method.ToUpperInvariant(), path, parameters, schema);
            }
        }
    }

    private static JsonNode Resolve(JsonObject document, JsonNode node)
    {
        while (node is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference)
        {
            node = reference.TrimStart('#', '/').Split('/').Aggregate((JsonNode)document, (current, part) => current[part]!);
        }
        return node;
    }

    private static string TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => a.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "string",
        _ => schema["properties"] is not null ? "object" : "string",
    };

    private static readonly string[] JunkStrings =
    [
        "not-a-guid", "", " ", "' OR '1'='1", "../../etc/passwd", "%00", "\u0000", "日本語テキスト", "<script>alert(1)</script>", "null",
        "00000000-0000-0000-0000-000000000000", "-1", "1e309", "2026-13-45", "9999-99-99T99:99:99Z", "true", "{}", "[]", new string('A', 3000),
    ];

    private static readonly object?[] JunkValues =
    [
        null, true, -1, 0, 2147483648L, -9223372036854775808L, 1.5, "", "x", "not-a-guid", "2026-02-30", "unknown_value",
        new string('Z', 100_000), new object[] { 1, 2 }, new Dictionary<string, object?> { ["nested"] = "object" },
    ];

    private static (HttpRequestMessage Request, string Description) Malformed(Operation operation, int i, Random random, World world, JsonObject document)
    {
        var pathParameters = operation.Parameters.Where(p => p["in"]?.GetValue<string>() == "path").ToList();
        var queryParameters = operation.Parameters.Where(p => p["in"]?.GetValue<string>() == "query").ToList();
        var path = operation.Path;
        var query = new List<string>();
        string description;
        HttpContent? content = operation.BodySchema is null ? null : Json(ValidBody(operation.BodySchema, document, random, world));

        var kind = operation.BodySchema is null ? i % 6 : i % 16;
        switch (kind)
        {
            case 0 or 1 when pathParameters.Count > 0:
                var target = pathParameters[random.Next(pathParameters.Count)]["name"]!.GetValue<string>();
                // A NUL in a path cannot even be sent through the test server (Kestrel refuses it before routing); the rest can.
                var junk = kind == 0 ? JunkStrings[random.Next(JunkStrings.Length)].Replace("\u0000", "%00") : new string('9', 2000 + random.Next(3000));
                path = path.Replace("{" + target + "}", Uri.EscapeDataString(junk));
                description = $"path {target}={Shorten(junk)}";
                break;
            case <= 5:
                var parameter = queryParameters.Count > 0 ? queryParameters[random.Next(queryParameters.Count)]["name"]!.GetValue<string>()
                    : new[] { "page", "pageSize", "year", "agencyId" }[random.Next(4)];
                var value = JunkStrings[random.Next(JunkStrings.Length)];
                query.Add($"{parameter}={Uri.EscapeDataString(value)}");
                query.Add($"{new[] { "page", "pageSize" }[random.Next(2)]}={new[] { "-5", "0", "999999999999", "abc", "2147483648" }[random.Next(5)]}");
                description = $"query {parameter}={Shorten(value)}";
                break;
            case 6:
            {
                var body = ValidBody(operation.BodySchema!, document, random, world);
                var keys = body.Select(p => p.Key).ToList();
                if (keys.Count > 0) body.Remove(keys[random.Next(keys.Count)]);
                content = Json(body);
                description = "missing field";
                break;
            }
            case 7 or 8 or 9 or 10:
            {
                var body = ValidBody(operation.BodySchema!, document, random, world);
                var keys = body.Select(p => p.Key).ToList();
                var key = keys.Count > 0 ? keys[random.Next(keys.Count)] : "unexpected";
                var replacement = JunkValues[random.Next(JunkValues.Length)];
                body[key] = JsonSerializer.SerializeToNode(replacement);
                content = Json(body);
                description = $"{key}={Shorten(replacement?.ToString() ?? "null")}";
                break;
            }
            case 11:
            {
                var depth = 40 + random.Next(200);
                var deep = string.Concat(Enumerable.Repeat("{\"a\":[", depth)) + "1" + string.Concat(Enumerable.Repeat("]}", depth));
                var body = ValidBody(operation.BodySchema!, document, random, world).ToJsonString();
                content = new StringContent(body.Length > 2 ? "{\"deep\":" + deep + "," + body[1..] : deep, Encoding.UTF8, "application/json");
                description = $"JSON nested {depth} deep";
                break;
            }
            case 12:
            {
                var bytes = Encoding.UTF8.GetBytes(ValidBody(operation.BodySchema!, document, random, world).ToJsonString()).ToList();
                var at = bytes.IndexOf((byte)'"') + 1;
                bytes.InsertRange(Math.Max(1, at), new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
                content = new ByteArrayContent(bytes.ToArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                description = "invalid UTF-8";
                break;
            }
            case 13:
            {
                var type = new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "image/png", "multipart/form-data; boundary=zz" }[random.Next(5)];
                content = new StringContent(ValidBody(operation.BodySchema!, document, random, world).ToJsonString());
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                description = $"content type {type}";
                break;
            }
            case 14:
            {
                var raw = new[] { "", "{", "{\"a\":", "null", "[]", "42", "\"text\"", "{}}", "{'single':'quotes'}", "\u0000\u0001" }[random.Next(10)];
                content = new StringContent(raw, Encoding.UTF8, "application/json");
                description = $"body {Shorten(raw)}";
                break;
            }
            default:
            {
                var body = ValidBody(operation.BodySchema!, document, random, world).ToJsonString();
                var keys = operation.BodySchema!["properties"]?.AsObject().Select(p => p.Key).ToList() ?? [];
                var duplicate = keys.Count > 0 ? $"\"{keys[0]}\":123," : "";
                content = new StringContent("{" + duplicate + "\"unknownField\":[1,2,{\"x\":null}]," + body.TrimStart('{'), Encoding.UTF8, "application/json");
                description = "duplicate and unknown fields";
                break;
            }
        }

        foreach (var parameter in pathParameters)
        {
            var name = parameter["name"]!.GetValue<string>();
            path = path.Replace("{" + name + "}", ValidPathValue(operation.Path, name, world));
        }
        var url = query.Count == 0 ? path : path + "?" + string.Join('&', query);
        return (new HttpRequestMessage(new HttpMethod(operation.Method), url) { Content = content }, description);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + $"…({value.Length})" : value;

    private static string ValidPathValue(string path, string name, World world)
    {
        var before = path[..path.IndexOf("{" + name + "}", StringComparison.Ordinal)].TrimEnd('/');
        var resource = before[(before.LastIndexOf('/') + 1)..];
        var own = world.Own;
        return name switch
        {
            "unitId" => own.UnitId.ToString(),
            "agencyId" => own.AgencyId.ToString(),
            "evidenceId" => own.EvidenceId.ToString(),
            "layer" => "self",
            "itemCode" => "MP.P.1.a",
            "code" => "PERMENPANRB-90-2021",
            _ => resource switch
            {
                "assessments" => own.AssessmentId.ToString(),
                "agencies" => own.AgencyId.ToString(),
                "units" => own.UnitId.ToString(),
                "declarations" => own.DeclarationId.ToString(),
                "designations" => own.DesignationId.ToString(),
                "api-keys" => world.SpareKeyId.ToString(),
                _ => Guid.NewGuid().ToString(),
            },
        };
    }

    /// <summary>A plausible body from the schema, so that a single mutation is what the service has to refuse.</summary>
    private static JsonObject ValidBody(JsonObject schema, JsonObject document, Random random, World world)
    {
        var body = new JsonObject();
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            body[name] = ValidValue(name, Resolve(document, property!).AsObject(), document, random, world, 0);
        }
        return body;
    }

    private static JsonNode? ValidValue(string name, JsonObject schema, JsonObject document, Random random, World world, int depth)
    {
        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }
        return (TypeOf(schema), schema["format"]?.GetValue<string>()) switch
        {
            ("string", "uuid") => name.Contains("agency", StringComparison.OrdinalIgnoreCase) ? world.Own.AgencyId.ToString() : world.Own.UnitId.ToString(),
            ("string", "date") => "2026-03-15",
            ("string", "date-time") => "2026-03-15T10:00:00+07:00",
            ("string", _) => name switch
            {
                "nip" => Fixtures.Nip(random.Next(1000)),
                "url" or "publicationUrl" or "documentUrl" => "https://example.go.id/doc.pdf",
                "role" => "reader",
                _ => "uji",
            },
            ("integer", _) => 1 + random.Next(5),
            ("number", _) => 1.5,
            ("boolean", _) => true,
            ("array", _) when depth < 3 && schema["items"] is { } items => new JsonArray(ValidValue(name, Resolve(document, items).AsObject(), document, random, world, depth + 1)),
            ("object", _) when depth < 3 => new JsonObject((schema["properties"]?.AsObject() ?? [])
                .Select(p => KeyValuePair.Create(p.Key, ValidValue(p.Key, Resolve(document, p.Value!).AsObject(), document, random, world, depth + 1)))),
            _ => null,
        };
    }
}
