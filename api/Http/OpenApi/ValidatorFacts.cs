using System.Collections.Concurrent;
using System.Reflection;
using FluentValidation;
using FluentValidation.Internal;
using FluentValidation.Validators;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// What the FluentValidation validators say about each request property, read from their descriptors, so that the
/// OpenAPI document states the same rules the service enforces: required fields, lengths, ranges, patterns, closed
/// vocabularies and the wording of custom checks. Child validators (<c>ChildRules</c>, <c>SetValidator</c>) count for
/// the nested type they validate.
/// </summary>
public sealed class ValidatorFacts(IServiceProvider services)
{
    public sealed record Rule(IPropertyValidator Validator, bool Conditional, string? Message, bool ForEachElement);

    private readonly ConcurrentDictionary<Type, IReadOnlyList<IValidator>> validators = new();
    private IReadOnlyDictionary<Type, List<IValidator>>? children;

    /// <summary>The rules for one member of a model type (empty when nothing validates it).</summary>
    public IReadOnlyList<Rule> For(Type model, string member)
    {
        var rules = new List<Rule>();
        foreach (var validator in ValidatorsOf(model))
        {
            foreach (var rule in validator.CreateDescriptor().GetRulesForMember(member))
            {
                var forEach = rule.GetType().IsGenericType && rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));
                foreach (var component in rule.Components)
                {
                    string? message = null;
                    try
                    {
                        message = component.GetUnformattedErrorMessage();
                    }
                    catch (Exception e) when (e is InvalidOperationException or NullReferenceException)
                    {
                        // A message built from the instance (WithMessage(r => ...)) has no fixed wording to document.
                    }
                    rules.Add(new Rule(component.Validator, rule.HasCondition || rule.HasAsyncCondition || component.HasCondition || component.HasAsyncCondition, message, forEach));
                }
            }
        }
        return rules;
    }

    public bool Validates(Type model) => ValidatorsOf(model).Count > 0;

    /// <summary>True when an unconditional NotNull/NotEmpty rule refuses a request without the member.</summary>
    public bool IsRequired(Type model, string member) =>
        For(model, member).Any(r => !r.Conditional && !r.ForEachElement && r.Validator is INotNullValidator or INotEmptyValidator);

    private IReadOnlyList<IValidator> ValidatorsOf(Type model) => validators.GetOrAdd(model, type =>
    {
        var found = new List<IValidator>();
        if (services.GetService(typeof(IValidator<>).MakeGenericType(type)) is IValidator own)
        {
            found.Add(own);
        }
        if (Children().TryGetValue(type, out var nested))
        {
            found.AddRange(nested.Where(n => !found.Contains(n)));
        }
        return found;
    });

    private IReadOnlyDictionary<Type, List<IValidator>> Children()
    {
        if (children is not null)
        {
            return children;
        }
        var byType = new Dictionary<Type, List<IValidator>>();
        var seen = new HashSet<IValidator>();
        var roots = typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(AbstractValidator<>))
            .Select(t => services.GetService(typeof(IValidator<>).MakeGenericType(t.BaseType!.GetGenericArguments()[0])) as IValidator)
            .OfType<IValidator>();
        var pending = new Stack<IValidator>(roots);
        while (pending.TryPop(out var validator))
        {
            if (!seen.Add(validator))
            {
                continue;
            }
            foreach (var rule in validator.CreateDescriptor().Rules)
            {
                foreach (var component in rule.Components)
                {
                    if (component.Validator is IChildValidatorAdaptor && ChildOf(component.Validator) is { } child)
                    {
                        var model = ModelType(child);
                        if (model is not null)
                        {
                            (byType.TryGetValue(model, out var list) ? list : byType[model] = []).Add(child);
                        }
                        pending.Push(child);
                    }
                }
            }
        }
        return children = byType;
    }

    private static IValidator? ChildOf(IPropertyValidator adaptor)
    {
        // ChildValidatorAdaptor<T, TProperty> keeps the validator it wraps (ChildRules, SetValidator(instance)) in a field;
        // a validator chosen per instance (SetValidator(x => ...)) has none and is not documented.
        return adaptor.GetType().GetField("_validator", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(adaptor) as IValidator;
    }

    private static Type? ModelType(IValidator validator)
    {
        for (var type = validator.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(AbstractValidator<>))
            {
                return type.GetGenericArguments()[0];
            }
        }
        return null;
    }
}
