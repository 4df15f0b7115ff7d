namespace ZonaIntegritas.Api.Http;

/// <summary>
/// The JSON settings of every body this service reads and writes, in one place so that code outside the web host
/// (the load generator building stored documents) writes exactly the bytes the service would.
/// </summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.MaxDepth = 32;
        // {"role":"admin","role":"reader"} is refused naming the property rather than letting the last one win.
        options.AllowDuplicateProperties = false;
        // Numbers are numbers: "5" is not accepted for an integer, so the document has no integer|string unions.
        // Rupiah amounts are decimal strings ([Money]).
        options.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
    }
}
