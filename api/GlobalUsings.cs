// The service's own infrastructure and the libraries nearly every feature file uses. Feature namespaces stay explicit
// in each file, so that what a feature depends on is visible at its top.
global using System.Data.Common;
global using System.Text.Json;
global using Dapper;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.Extensions.Options;
global using ZonaIntegritas.Api.Auth;
global using ZonaIntegritas.Api.Data;
global using ZonaIntegritas.Api.Domain;
global using ZonaIntegritas.Api.Http;
global using ZonaIntegritas.Api.Http.OpenApi;
