using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using FluentValidation;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.ApiKeys;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.Declarations;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Health;
using ZonaIntegritas.Api.Features.IntegrityPacts;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Units;
using ZonaIntegritas.Api.Features.Webhooks;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Api.Features.Workbook;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<DatabaseOptions>()
    .BindConfiguration(DatabaseOptions.Section)
    .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString("ZonaIntegritas"))
    .ValidateDataAnnotations()
    .Validate(o => o.Provider != DatabaseProvider.SqlServer || !string.IsNullOrWhiteSpace(o.ConnectionString),
        "Database:Provider is SqlServer but ConnectionStrings:ZonaIntegritas is empty; set it (environment variable ConnectionStrings__ZonaIntegritas).")
    .ValidateOnStart();
builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ProposalOptions>().BindConfiguration(ProposalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<DbConnectionFactory>();
builder.Services.AddSingleton(new ChangeStamps(AuditEntities.KindOf));
builder.Services.AddSingleton<WriteSignal>();
builder.Services.AddSingleton<ViewCache>();
builder.Services.AddHostedService<ChangeFeed>();
builder.Services.AddOptions<MemoryOptions>().BindConfiguration(MemoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<MemoryTrimmer>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<MemoryTrimmer>());
builder.Services.AddOptions<ComplianceStoreOptions>().BindConfiguration(ComplianceStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ComplianceStore>();
builder.Services.AddHostedService<ComplianceRefresher>();
builder.Services.AddSingleton<DatabaseMigrator>();
builder.Services.AddSingleton<ApiKeyBootstrap>();
builder.Services.AddSingleton<FrameworkCatalogue>();
builder.Services.AddSingleton<FrameworkStore>();
builder.Services.AddEvidenceStore();
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);

builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
    // Routing refuses unsupported content types itself; say which type it was.
    if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
    {
        context.ProblemDetails.Detail = $"Content-Type '{context.HttpContext.Request.ContentType}' is not supported by this operation.";
    }
});
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.AddPortalRb();
builder.Services.AddWebhooks();
// Binding failures become exceptions so that BadRequestExceptionHandler can name the offending field.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.Configure<JsonOptions>(options => ApiJson.Configure(options.SerializerOptions));

builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin))
    .AddPolicy(Policies.ManageDeclarations, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate))
    .AddPolicy(Policies.RecordPacts, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Unit))
    .AddPolicy(Policies.StartAssessments, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Unit))
    .AddPolicy(Policies.WriteAnswers, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Evaluator, Roles.Unit))
    .AddPolicy(Policies.UploadEvidence, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Unit))
    .AddPolicy(Policies.ReviewEvidence, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Evaluator))
    .AddPolicy(Policies.Decide, policy => policy.RequireRole(Roles.Admin, Roles.Evaluator))
    .AddPolicy(Policies.ReadAudit, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate))
    .AddPolicy(Policies.WriteAccountability, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate, Roles.Unit))
    .AddPolicy(Policies.SetMilestones, policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate))
    .AddPolicy(Policies.Api, policy => policy.RequireRole(Roles.Api))
    .AddPolicy(Policies.PortalRb, policy => policy.RequireRole(Roles.PortalRb, Roles.Admin));

builder.Services.AddZonaIntegritasRateLimits();
builder.Services.AddConfiguredCors(builder.Configuration);
// Slow-body clients (a stalled mobile upload, a slowloris) are cut off rather than holding a connection forever.
builder.WebHost.ConfigureKestrel((context, kestrel) =>
{
    var limits = context.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new RequestLimitsOptions();
    kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(10));
    kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
    kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
});

builder.Services.AddHealthChecks()
    .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
    .AddCheck<EvidenceStoreHealthCheck>("evidence", failureStatus: null, tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(5));
builder.Services.AddZonaIntegritasOpenApi();

var app = builder.Build();

DapperTypeHandlers.Register();
app.Services.GetRequiredService<DatabaseMigrator>().Migrate();
await app.Services.GetRequiredService<FrameworkStore>().SynchronizeAsync();
await app.Services.GetRequiredService<ApiKeyBootstrap>().EnsureAdminKeyAsync();
await app.Services.GetRequiredService<EvidenceSweeper>().SweepAsync();

app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    // Behind a TLS-terminating proxy set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true so the original scheme is seen (README, Security).
    app.UseHsts();
    app.UseHttpsRedirection();
}
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSwaggerUI(options =>
{
    options.SwaggerEndpoint("/openapi/v1.json", "ZonaIntegritas API v1");
    options.RoutePrefix = "swagger";
    options.DocumentTitle = "ZonaIntegritas API";
});
app.UseRouting();
app.UseCors(CorsOptions.PolicyName);
app.UseRequestBodyLimits();
app.UseAuthentication();
app.UsePortalRbFetchLog();
app.UseRateLimiter();
app.UseAuthorization();

app.MapOpenApi().AllowAnonymous();
app.MapHealth();
app.MapPortalRb();

var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Api).AddEndpointFilter<ChangeSetFilter>().AddEndpointFilter<CsvDelimiterFilter>();
api.MapApiKeys();
api.MapAgencies();
api.MapUnits();
api.MapDeclarations();
api.MapIntegrityPacts();
api.MapCompliance();
api.MapComplianceExport();
api.MapFrameworks();
api.MapAssessments();
api.MapAnswers();
api.MapScores();
api.MapWorkbook();
api.MapEvidence();
api.MapWorkflow();
api.MapAdministrativeSelection();
api.MapFollowUps();
api.MapAppeals();
api.MapEvaluations();
api.MapNationalEvaluation();
api.MapAuditOpinions();
api.MapProposalQuotas();
api.MapDesignations();
api.MapAudit();
api.MapAccountability();
api.MapProposalWindows();
api.MapPortalRbFetches();
api.MapWebhooks();
api.MapChanges();

app.Run();

public partial class Program;
