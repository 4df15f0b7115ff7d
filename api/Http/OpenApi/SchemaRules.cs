using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// Makes every schema say what the service does, from the types and validators rather than by hand:
/// a response property is required (the service always writes it, null included) unless it is left out when null;
/// a request property is required exactly when its validator refuses a request without it, and then not nullable;
/// lengths, ranges, patterns and closed vocabularies come from the validators (<see cref="ValidatorFacts"/>), and the
/// wording of custom checks becomes the property's description. Rupiah (<see cref="MoneyAttribute"/>) are decimal
/// strings; other decimals are numbers of format <c>decimal</c>.
/// </summary>
public sealed class SchemaRules(ValidatorFacts validators, RequestTypes requests, RequiredRequestProperties required) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property)
        {
            DescribeProperty(schema, property, context.JsonTypeInfo);
        }
        else if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            MarkRequired(schema, context.JsonTypeInfo);
        }
        else if (context.ParameterDescription is { } parameter)
        {
            DescribeParameter(schema, parameter.ParameterDescriptor as Microsoft.AspNetCore.Mvc.Infrastructure.IParameterInfoParameterDescriptor);
        }
        return Task.CompletedTask;
    }

    private void MarkRequired(OpenApiSchema schema, JsonTypeInfo type)
    {
        var isRequest = requests.Contains(type.Type);
        var names = new List<string>();
        foreach (var property in type.Properties)
        {
            var member = MemberName(property);
            var always = isRequest
                ? validators.IsRequired(type.Type, member)
                : property.Get is not null && !IgnoredWhenNull(property);
            if (always)
            {
                names.Add(property.Name);
            }
        }
        schema.Required = new SortedSet<string>(names, StringComparer.Ordinal);
        if (isRequest)
        {
            required.Note(type.Type, names, type.Properties.Where(p => (Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) == typeof(JsonElement)).Select(p => p.Name).ToList());
        }
    }

    private void DescribeProperty(OpenApiSchema schema, JsonPropertyInfo property, JsonTypeInfo type)
    {
        var clr = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null;
        var member = MemberName(property);
        var attributes = property.AttributeProvider;
        var isRequest = requests.Contains(property.DeclaringType);
        var notes = new List<string>();

        if (attributes?.IsDefined(typeof(MoneyAttribute), inherit: false) == true)
        {
            schema.Type = JsonSchemaType.String | (nullable ? JsonSchemaType.Null : 0);
            schema.Format = "decimal";
            schema.Pattern = MoneyAttribute.Pattern;
            schema.Minimum = schema.Maximum = null;
            notes.Add(isRequest
                ? "Rupiah as a decimal string with at most 2 decimals (\"1500000.50\"). A JSON number is still accepted when it is exact; that is deprecated."
                : "Rupiah as a decimal string, always with 2 decimals (\"1500000.50\").");
            schema.Examples = [JsonValue.Create("1500000.50")!];
        }
        else if (clr == typeof(decimal))
        {
            schema.Format = "decimal";
        }
        else if (clr == typeof(string) && member.EndsWith("Url", StringComparison.Ordinal))
        {
            schema.Format = "uri";
        }

        if (attributes?.GetCustomAttributes(typeof(VocabularyAttribute), inherit: false).OfType<VocabularyAttribute>().FirstOrDefault() is { } vocabulary)
        {
            schema.Enum = vocabulary.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
        }

        if (isRequest)
        {
            foreach (var rule in validators.For(property.DeclaringType, member))
            {
                Apply(schema, rule, clr, notes, money: schema.Format == "decimal" && schema.Type?.HasFlag(JsonSchemaType.String) == true);
            }
        }
        if (notes.Count > 0)
        {
            schema.Description = string.Join(" ", new[] { schema.Description }.Concat(notes.Distinct()).Where(d => !string.IsNullOrWhiteSpace(d)));
        }
    }

    private static void Apply(OpenApiSchema schema, ValidatorFacts.Rule rule, Type clr, List<string> notes, bool money)
    {
        var custom = rule.Message is { } m && !m.Contains('{', StringComparison.Ordinal) && !m.StartsWith("No default error message", StringComparison.Ordinal) ? m : null;
        if (rule.ForEachElement || rule.Conditional)
        {
            if (custom is not null)
            {
                notes.Add(custom);
            }
            return;
        }
        switch (rule.Validator)
        {
            case IOneOfValidator oneOf:
                schema.Enum = oneOf.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
                break;
            case ILengthValidator length:
                if (length.Min > 0)
                {
                    schema.MinLength = length.Min;
                }
                if (length.Max > 0)
                {
                    schema.MaxLength = length.Max;
                }
                break;
            case INotEmptyValidator when clr == typeof(string):
                schema.MinLength ??= 1;
                break;
            case INotEmptyValidator when clr != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(clr):
                schema.MinItems ??= 1;
                break;
            case IBetweenValidator between when !money:
                schema.Minimum = Number(between.From);
                schema.Maximum = Number(between.To);
                break;
            case IComparisonValidator comparison when !money && Number(comparison.ValueToCompare) is { } bound:
                switch (comparison.Comparison)
                {
                    case Comparison.GreaterThan: schema.ExclusiveMinimum = bound; break;
                    case Comparison.GreaterThanOrEqual: schema.Minimum = bound; break;
                    case Comparison.LessThan: schema.ExclusiveMaximum = bound; break;
                    case Comparison.LessThanOrEqual: schema.Maximum = bound; break;
                }
                break;
            case IComparisonValidator comparison when money && Number(comparison.ValueToCompare) is { } bound:
                notes.Add(comparison.Comparison switch
                {
                    Comparison.GreaterThan => $"Greater than {bound}.",
                    Comparison.GreaterThanOrEqual => $"At least {bound}.",
                    Comparison.LessThan => $"Less than {bound}.",
                    _ => $"At most {bound}.",
                });
                break;
            case IRegularExpressionValidator regex:
                schema.Pattern = regex.Expression;
                break;
            default:
                if (custom is not null)
                {
                    notes.Add(custom);
                }
                break;
        }
    }

    private static void DescribeParameter(OpenApiSchema schema, Microsoft.AspNetCore.Mvc.Infrastructure.IParameterInfoParameterDescriptor? parameter)
    {
        if (parameter?.ParameterInfo.GetCustomAttribute<VocabularyAttribute>() is { } vocabulary)
        {
            schema.Enum = vocabulary.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
        }
    }

    private static string? Number(object? value) => value switch
    {
        int or long or short or decimal or double or float => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string MemberName(JsonPropertyInfo property) => (property.AttributeProvider as MemberInfo)?.Name ?? property.Name;

    private static bool IgnoredWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: false).OfType<JsonIgnoreAttribute>()
            .Any(a => a.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault) == true;
}

/// <summary>
/// Request properties a validator requires, by schema name: the last document pass takes <c>null</c> out of their types
/// (a required field sent as null is refused, so null is not a value the client may send).
/// </summary>
public sealed class RequiredRequestProperties
{
    public sealed record Entry(IReadOnlyList<string> Required, IReadOnlyList<string> FreeValues);

    private readonly ConcurrentDictionary<string, Entry> bySchema = new();

    /// <summary><paramref name="freeValues"/>: JsonElement properties, which the handlers read as text or a number.</summary>
    public void Note(Type type, IReadOnlyList<string> names, IReadOnlyList<string> freeValues) => bySchema[type.Name] = new Entry(names, freeValues);

    public IEnumerable<KeyValuePair<string, Entry>> All => bySchema;
}
