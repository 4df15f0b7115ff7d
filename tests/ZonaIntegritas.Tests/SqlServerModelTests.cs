using System.Text.RegularExpressions;
using Microsoft.SqlServer.Dac;
using Microsoft.SqlServer.Dac.Model;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ZonaIntegritas.Tests;

/// <summary>
/// Parsing only proves the T-SQL is well formed; this resolves it. db/sqlserver/*.sql is built, in order, into a DacFx
/// model (SQL Server 2022 level), and every statement the code runs is added to that model as the body of a generated
/// procedure whose parameters are the statement's @names. The model's validation then reports unknown tables,
/// columns and functions, naming the statement's source file, line and method.
/// <para>
/// How the model is fed, since DacFx is particular: a whole migration file added at once fails (SQL71006), so each file
/// is split into statements with ScriptDom and each statement is added under its own source name (a second add under
/// the same name would replace the first). The model holds declarations, not history, so an ALTER TABLE … ADD in a
/// later migration is folded into the table's CREATE TABLE before the table is added. Parameters are declared
/// sql_variant: the model resolves names, and the types of Dapper's parameters are not known from the source.
/// </para>
/// </summary>
public sealed class SqlServerModelTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void TheSqlServerMigrationsBuildAModelWithoutErrors()
    {
        var model = SqlServerModel.FromMigrations(Migrations());

        Assert.True(model.Problems.Count == 0, string.Join("\n", model.Problems));
    }

    [Fact]
    public void EveryStatementInTheCodeResolvesAgainstTheModel()
    {
        var statements = SqlServerScriptTests.CodeStatements().ToList();
        Assert.True(statements.Count >= 30, $"Found only {statements.Count} SQL statements; did the scan break?");

        var problems = SqlServerModel.FromMigrations(Migrations()).Check(statements.Select(s => (s.Source, s.Sql)));

        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Fact]
    public void ARenamedColumnInAMigrationIsReportedWithTheStatementThatUsesIt()
    {
        // audit_entries.entity_type renamed in a copy of its migration: the change feed's statements must now fail.
        var migrations = Migrations().Select(m => m.Name == "0005_audit.sql"
            ? (Name: m.Name, Text: m.Text.Replace("entity_type  NVARCHAR(40)", "entity_kind  NVARCHAR(40)", StringComparison.Ordinal))
            : m).ToList();
        Assert.NotEqual(Migrations().Single(m => m.Name == "0005_audit.sql").Text, migrations.Single(m => m.Name == "0005_audit.sql").Text);

        var problems = SqlServerModel.FromMigrations(migrations).Check(SqlServerScriptTests.CodeStatements().Select(s => (s.Source, s.Sql)));

        Assert.Contains(problems, p => p.Contains("SqlDialect.cs") && p.Contains("SqlServerDialect.ChangeFeedEntries") && p.Contains("entity_type"));
    }

    [Fact]
    public void ADropIndexThatNamesNoIndexIsReportedWithItsMigration()
    {
        var migrations = Migrations().Append(("9999_drop.sql", "DROP INDEX ix_no_such_index ON dbo.evidence;\nGO\n")).ToList();

        var problems = SqlServerModel.FromMigrations(migrations).Problems;

        Assert.Contains(problems, p => p.StartsWith("9999_drop.sql:1", StringComparison.Ordinal) && p.Contains("ix_no_such_index names nothing on dbo.evidence"));
    }

    [Fact]
    public void AnUnknownTableAWrongColumnCountAndAnUnknownFunctionAreReported()
    {
        var model = SqlServerModel.FromMigrations(Migrations());

        var problems = model.Check([
            ("missing-table", "SELECT id FROM dbo.no_such_table WHERE id = @Id"),
            ("column-count", "INSERT INTO agencies (id, code) VALUES (@Id, @Code, @Name)"),
            ("unknown-function", "SELECT dbo.no_such_function(id) FROM agencies"),
            ("fine", "SELECT id, code FROM agencies WHERE id = @Id"),
        ]);

        Assert.Contains(problems, p => p.StartsWith("missing-table", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("column-count", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("unknown-function", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("fine", StringComparison.Ordinal));
    }

    private static List<(string Name, string Text)> Migrations() =>
        Directory.GetFiles(Path.Combine(Root, "db", "sqlserver"), "*.sql").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZonaIntegritas.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("ZonaIntegritas.sln not found above the test output folder.");
    }
}

/// <summary>The schema of db/sqlserver as a DacFx model, and the check of statements against it.</summary>
internal sealed partial class SqlServerModel
{
    private readonly List<(string Name, string Text)> _migrations;

    private SqlServerModel(List<(string Name, string Text)> migrations, List<string> problems)
    {
        _migrations = migrations;
        Problems = problems;
    }

    /// <summary>Parse errors, statements the model cannot hold, and model errors or warnings of the schema alone.</summary>
    public List<string> Problems { get; }

    public static SqlServerModel FromMigrations(IEnumerable<(string Name, string Text)> migrations)
    {
        var list = migrations.ToList();
        var problems = new List<string>();
        using var model = Build(list, problems);
        if (model is not null)
        {
            problems.AddRange(Messages(model));
        }
        return new SqlServerModel(list, problems);
    }

    /// <summary>Adds each statement as a procedure to a fresh copy of the model; returns "source: message" for each problem.</summary>
    public List<string> Check(IEnumerable<(string Source, string Sql)> statements)
    {
        var problems = new List<string>();
        using var model = Build(_migrations, problems) ?? throw new InvalidOperationException(string.Join("\n", problems));
        var sources = new Dictionary<string, string>();
        var number = 0;
        foreach (var (source, sql) in statements)
        {
            var name = $"statement_{++number:D4}";
            sources[name] = source;
            problems.AddRange(ColumnCountProblems(source, sql));
            var parameters = ParameterPattern().Matches(sql).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(p => $"@{p} SQL_VARIANT");
            var procedure = $"CREATE PROCEDURE dbo.zi_check_{name} {string.Join(", ", parameters)}\nAS\nBEGIN\n{sql};\nEND";
            model.AddOrUpdateObjects(procedure, name, new TSqlObjectOptions());
        }
        // A message names the object it is about ("Procedure: [dbo].[zi_check_statement_0007] has an unresolved …").
        foreach (var message in model.Validate())
        {
            var match = CheckNamePattern().Match(message.Message);
            problems.Add(match.Success && sources.TryGetValue(match.Groups[1].Value, out var source)
                ? $"{source}: {message.Prefix}{message.Number} {message.Message}"
                : $"{message}");
        }
        return problems;
    }

    private static TSqlModel? Build(List<(string Name, string Text)> migrations, List<string> problems)
    {
        var tables = new Dictionary<string, (string Source, CreateTableStatement Statement)>(StringComparer.OrdinalIgnoreCase);
        var others = new List<(string Source, string Text, TSqlStatement Statement)>();
        foreach (var (file, text) in migrations)
        {
            var script = (TSqlScript)new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(text), out var errors);
            problems.AddRange(errors.Select(e => $"{file}({e.Line},{e.Column}): {e.Message}"));
            foreach (var statement in script.Batches.SelectMany(b => b.Statements))
            {
                var source = $"{file}:{statement.StartLine}";
                switch (statement)
                {
                    case CreateTableStatement create:
                        tables[NameOf(create.SchemaObjectName)] = (source, create);
                        break;
                    case AlterTableAddTableElementStatement add when tables.TryGetValue(NameOf(add.SchemaObjectName), out var table):
                        foreach (var column in add.Definition.ColumnDefinitions) table.Statement.Definition.ColumnDefinitions.Add(column);
                        foreach (var constraint in add.Definition.TableConstraints) table.Statement.Definition.TableConstraints.Add(constraint);
                        foreach (var index in add.Definition.Indexes) table.Statement.Definition.Indexes.Add(index);
                        break;
                    case AlterTableDropTableElementStatement drop when tables.TryGetValue(NameOf(drop.SchemaObjectName), out var table):
                        foreach (var element in drop.AlterTableDropTableElements)
                        {
                            if (!DropElement(table.Statement.Definition, element))
                            {
                                problems.Add($"{source}: DROP {element.TableElementType} {element.Name.Value} names nothing on {NameOf(drop.SchemaObjectName)}.");
                            }
                        }
                        break;
                    case DropIndexStatement dropIndex:
                        foreach (var clause in dropIndex.DropIndexClauses.OfType<DropIndexClause>())
                        {
                            if (!DropIndex(tables, others, clause))
                            {
                                problems.Add($"{source}: DROP INDEX {clause.Index.Value} names nothing on {NameOf(clause.Object)}.");
                            }
                        }
                        break;
                    case AlterTableStatement alter:
                        problems.Add($"{source}: {alter.GetType().Name} is not folded into the model yet; teach SqlServerModel.Build how to apply it.");
                        break;
                    default:
                        others.Add((source, text.Substring(statement.StartOffset, statement.FragmentLength), statement));
                        break;
                }
            }
        }
        if (problems.Count > 0)
        {
            return null;
        }
        var model = new TSqlModel(SqlServerVersion.Sql160, new TSqlModelOptions { CompatibilityLevel = 160 });
        var generator = new Sql160ScriptGenerator();
        foreach (var (source, create) in tables.Values)
        {
            generator.GenerateScript(create, out var script);
            model.AddOrUpdateObjects(script, source, new TSqlObjectOptions());
        }
        foreach (var (source, text, _) in others)
        {
            model.AddOrUpdateObjects(text, source, new TSqlObjectOptions());
        }
        return model;
    }

    /// <summary>Applies a DROP INDEX to the index's CREATE INDEX, or to the CREATE TABLE that declares it; false when nothing had that name.</summary>
    private static bool DropIndex(Dictionary<string, (string Source, CreateTableStatement Statement)> tables,
        List<(string Source, string Text, TSqlStatement Statement)> others, DropIndexClause clause)
    {
        bool Named(Identifier? identifier) => string.Equals(identifier?.Value, clause.Index.Value, StringComparison.OrdinalIgnoreCase);
        var table = NameOf(clause.Object);
        var created = others.FindIndex(o => o.Statement is CreateIndexStatement create && Named(create.Name) &&
            string.Equals(NameOf(create.OnName), table, StringComparison.OrdinalIgnoreCase));
        if (created >= 0)
        {
            others.RemoveAt(created);
            return true;
        }
        return tables.TryGetValue(table, out var declared) && RemoveIndex(declared.Statement.Definition, clause.Index.Value);
    }

    private static bool RemoveIndex(TableDefinition table, string name) =>
        table.Indexes.Remove(table.Indexes.FirstOrDefault(i => string.Equals(i.Name?.Value, name, StringComparison.OrdinalIgnoreCase))!);

    /// <summary>Applies a DROP CONSTRAINT / COLUMN / INDEX to the folded CREATE TABLE; false when nothing had that name.</summary>
    private static bool DropElement(TableDefinition table, AlterTableDropTableElement element)
    {
        var name = element.Name.Value;
        bool Named(Identifier? identifier) => string.Equals(identifier?.Value, name, StringComparison.OrdinalIgnoreCase);
        switch (element.TableElementType)
        {
            case TableElementType.Column:
                return table.ColumnDefinitions.Remove(table.ColumnDefinitions.FirstOrDefault(c => Named(c.ColumnIdentifier))!);
            case TableElementType.Index:
                return RemoveIndex(table, name);
            default:
                // A constraint is declared on the table or inline on one of its columns.
                if (table.TableConstraints.FirstOrDefault(c => Named(c.ConstraintIdentifier)) is { } tableConstraint)
                {
                    return table.TableConstraints.Remove(tableConstraint);
                }
                foreach (var column in table.ColumnDefinitions)
                {
                    if (column.Constraints.FirstOrDefault(c => Named(c.ConstraintIdentifier)) is { } columnConstraint)
                    {
                        return column.Constraints.Remove(columnConstraint);
                    }
                    if (Named(column.DefaultConstraint?.ConstraintIdentifier))
                    {
                        column.DefaultConstraint = null;
                        return true;
                    }
                }
                return false;
        }
    }

    private static IEnumerable<string> Messages(TSqlModel model) =>
        model.Validate().Select(m => m.ToString());

    /// <summary>
    /// The model does not compare an INSERT's column list with its VALUES (the server does, when it compiles); this does.
    /// </summary>
    private static IEnumerable<string> ColumnCountProblems(string source, string sql)
    {
        var script = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _);
        var visitor = new InsertVisitor();
        script.Accept(visitor);
        return visitor.Mismatches.Select(m => $"{source}: INSERT names {m.Columns} column(s) but a VALUES row has {m.Values}.");
    }

    private static string NameOf(SchemaObjectName name) => $"{name.SchemaIdentifier?.Value ?? "dbo"}.{name.BaseIdentifier.Value}";

    [GeneratedRegex(@"zi_check_(statement_\d+)")]
    private static partial Regex CheckNamePattern();

    [GeneratedRegex(@"(?<![@\w])@(\w+)")]
    private static partial Regex ParameterPattern();

    private sealed class InsertVisitor : TSqlFragmentVisitor
    {
        public List<(int Columns, int Values)> Mismatches { get; } = [];

        public override void ExplicitVisit(InsertSpecification node)
        {
            if (node.Columns.Count > 0 && node.InsertSource is ValuesInsertSource values)
            {
                foreach (var row in values.RowValues.Where(r => r.ColumnValues.Count != node.Columns.Count))
                {
                    Mismatches.Add((node.Columns.Count, row.ColumnValues.Count));
                }
            }
            base.ExplicitVisit(node);
        }
    }
}
