namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// A request body that shows clients a realistic value: the OpenAPI document carries it as the example of every
/// operation that takes the type (or a list of it), serialized with the service's own JSON options.
/// </summary>
public interface IHasExample<out TSelf> where TSelf : IHasExample<TSelf>
{
    static abstract TSelf Example { get; }
}
