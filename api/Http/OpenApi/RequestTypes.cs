using System.Collections;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// The model types clients send (request bodies and everything nested in them). Their schemas follow the validators;
/// every other object schema describes a response, in which the service always writes every property.
/// </summary>
public sealed class RequestTypes(IApiDescriptionGroupCollectionProvider descriptions)
{
    private HashSet<Type>? types;

    public bool Contains(Type type) => (types ??= Collect()).Contains(type);

    private HashSet<Type> Collect()
    {
        var found = new HashSet<Type>();
        var roots = descriptions.ApiDescriptionGroups.Items
            .SelectMany(g => g.Items)
            .SelectMany(d => d.ParameterDescriptions)
            .Where(p => p.Source == BindingSource.Body || p.Source == BindingSource.Form)
            .Select(p => p.Type);
        foreach (var root in roots)
        {
            Add(root, found);
        }
        return found;
    }

    private static void Add(Type type, HashSet<Type> found)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true && !type.IsGenericType)
        {
            return;
        }
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            foreach (var argument in type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments())
            {
                Add(argument, found);
            }
            return;
        }
        if (!found.Add(type))
        {
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Add(property.PropertyType, found);
        }
    }
}
