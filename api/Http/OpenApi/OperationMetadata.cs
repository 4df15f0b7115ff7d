namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>A request header an operation reads itself (not a bound parameter), for the OpenAPI document.</summary>
public sealed record DocumentedRequestHeader(string Name, string Description, int? MaxLength = null);

/// <summary>
/// The operation takes <c>multipart/form-data</c> whose parts are the properties of <see cref="Form"/>
/// (<see cref="IFormFile"/> properties are files); the handler reads the parts itself, streaming. Routing still needs
/// <c>Accepts(..., "multipart/form-data")</c>; this replaces what the document says about that content type.
/// </summary>
public sealed record MultipartForm(Type Form);

/// <summary>What a response of the operation means, for the OpenAPI document (otherwise its reason phrase).</summary>
public sealed record DocumentedResponse(int StatusCode, string Description);

/// <summary>The operation streams a stored file: 200, 206 for a Range, 304 for If-None-Match, 416 for a bad range.</summary>
public sealed record FileDownload;

public static class OperationMetadataExtensions
{
    public static TBuilder WithRequestHeader<TBuilder>(this TBuilder builder, string name, string description, int? maxLength = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new DocumentedRequestHeader(name, description, maxLength));

    public static TBuilder WithResponseDescription<TBuilder>(this TBuilder builder, int statusCode, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new DocumentedResponse(statusCode, description));

    public static RouteHandlerBuilder AcceptsMultipart<TForm>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new MultipartForm(typeof(TForm)));

    public static TBuilder ProducesFileDownload<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FileDownload());
}
