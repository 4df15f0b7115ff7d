using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ZonaIntegritas.Api.Features.PortalRb;

public static class PortalRbServices
{
    public static IServiceCollection AddPortalRb(this IServiceCollection services)
    {
        services.AddOptions<PortalRbOptions>().BindConfiguration(PortalRbOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EvidenceLinks>();
        services.AddSingleton<FetchLogWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<FetchLogWriter>());
        // First among the writers: the ProblemDetails service asks them in order, and the default one accepts any JSON client.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, PortalRbProblemWriter>());
        return services;
    }
}
