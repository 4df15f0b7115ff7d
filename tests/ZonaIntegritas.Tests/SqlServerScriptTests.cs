using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Tests;

/// <summary>
/// SQL Server cannot run here, so T-SQL is kept honest by parsing it: every migration script, and every statement the
/// code runs (the raw string literals in api/, with constants they interpolate expanded and the SQL Server dialect's
/// paging applied; constants named …Fragment are checked as part of the statements built from them).
/// </summary>
public sealed partial class SqlServerScriptTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> MigrationScripts() =>
        new(Directory.GetFiles(Path.Combine(Root, "db", "sqlserver"), "*.sql").Select(Path.GetFileName).Order()!);

    [Theory, MemberData(nameof(MigrationScripts))]
    public void EverySqlServerMigrationParses(string script)
    {
        var errors = Parse(File.ReadAllText(Path.Combine(Root, "db", "sqlserver", script)));

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{script}({e.Line},{e.Column}): {e.Message}")));
    }

    [Fact]
    public void EveryStatementInTheCodeParsesAsTSql()
    {
        var statements = CodeStatements().ToList();
        Assert.True(statements.Count >= 30, $"Found only {statements.Count} SQL statements; did the scan break?");
        var failures = new List<string>();
        foreach (var statement in statements)
        {
            foreach (var error in Parse(statement.Sql))
            {
                failures.Add($"{statement.Source}: {error.Message}\n{statement.Sql}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>A statement the code runs, as SQL Server receives it, and where it is written.</summary>
    internal sealed record CodeStatement(string File, int Line, string Method, string Sql)
    {
        public string Source => $"{File}:{Line} ({Method})";
    }

    /// <summary>Every SQL statement in api/, after the SQL Server dialect's expansions.</summary>
    internal static IEnumerable<CodeStatement> CodeStatements()
    {
        var dialect = new SqlServerDialect();
        foreach (var (file, line, method, sql) in SqlLiterals())
        {
            // The SQLite dialect's own statements (its upsert) never reach SQL Server.
            if (method.StartsWith($"{nameof(SqliteDialect)}.", StringComparison.Ordinal))
            {
                continue;
            }
            // Paged queries end in ORDER BY and get the dialect's OFFSET/FETCH appended at run time.
            var text = Regex.IsMatch(sql, @"ORDER BY[^;]*$", RegexOptions.Singleline) ? sql + dialect.Paging : sql;
            // Dapper expands a list parameter "IN @Ids" into "IN (@Ids1, @Ids2, ...)" before the server sees it.
            text = Regex.Replace(text, @"\bIN @(\w+)", "IN (@$1_1, @$1_2)");
            yield return new CodeStatement(file, line, method, text);
        }
    }

    [Fact]
    public void TheParserRejectsSqliteOnlySyntax() => Assert.NotEmpty(Parse("SELECT id FROM units ORDER BY code LIMIT 10"));

    private static IList<ParseError> Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(sql), out var errors);
        return errors;
    }

    /// <summary>Raw string literals (""" … """) in api/ that hold SQL, with const-interpolated column lists expanded.</summary>
    private static IEnumerable<(string File, int Line, string Method, string Sql)> SqlLiterals()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToList();
        // Constants referenced from another class as {Class.Name}: keyed by the class declared before them.
        var qualified = new Dictionary<string, string>();
        foreach (var file in files)
        {
            var source = File.ReadAllText(file);
            foreach (var match in ConstantPattern().Matches(source).Concat(RawConstantPattern().Matches(source)))
            {
                var owner = ClassPattern().Matches(source[..match.Index]).LastOrDefault()?.Groups[1].Value;
                qualified.TryAdd($"{owner}.{match.Groups["name"].Value}", match.Groups["value"].Value);
            }
        }
        foreach (var file in files)
        {
            var source = File.ReadAllText(file);
            var constants = ConstantPattern().Matches(source).Concat(RawConstantPattern().Matches(source))
                .GroupBy(m => m.Groups["name"].Value).ToDictionary(g => g.Key, g => g.First().Groups["value"].Value);
            foreach (var (name, value) in qualified)
            {
                constants.TryAdd(name, value);
            }
            foreach (Match match in LiteralPattern().Matches(source))
            {
                // "…Fragment" constants are parts of statements; they are parsed inside the statements that use them.
                var lineStart = source.LastIndexOf('\n', match.Index) + 1;
                if (source[lineStart..match.Index].Contains("Fragment ="))
                {
                    continue;
                }
                var body = match.Groups["body"].Value;
                var sql = match.Groups["interpolated"].Success ? Expand(body, constants) : body;
                sql = string.Join('\n', sql.Split('\n').Select(l => l.Trim()));
                if (StatementStart().IsMatch(sql))
                {
                    yield return (Path.GetRelativePath(Root, file), source[..match.Index].Count(c => c == '\n') + 1, MemberAt(source, match.Index), sql);
                }
            }
            foreach (Match match in PlainSqlPattern().Matches(source))
            {
                var sql = match.Groups["interpolated"].Success ? Expand(match.Groups["body"].Value, constants) : match.Groups["body"].Value;
                if (StatementStart().IsMatch(sql) && !sql.Contains("PRAGMA"))
                {
                    yield return (Path.GetRelativePath(Root, file), source[..match.Index].Count(c => c == '\n') + 1, MemberAt(source, match.Index), sql);
                }
            }
        }
    }

    /// <summary>The method, property or constant a literal is written in: the last member declared above it.</summary>
    private static string MemberAt(string source, int index)
    {
        var member = MemberPattern().Matches(source[..index]).LastOrDefault();
        var owner = ClassPattern().Matches(source[..index]).LastOrDefault()?.Groups[1].Value;
        return member is null ? owner ?? "?" : $"{owner}.{member.Groups["name"].Value}";
    }

    /// <summary>Replaces {Constant} holes, again and again, since constants are built from constants.</summary>
    private static string Expand(string text, Dictionary<string, string> constants)
    {
        for (var pass = 0; pass < 5; pass++)
        {
            var expanded = InterpolationPattern().Replace(text, m => constants.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
            if (expanded == text)
            {
                break;
            }
            text = expanded;
        }
        return text;
    }

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

    [GeneratedRegex("(?<interpolated>\\$)?\"\"\"(?<body>.*?)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex LiteralPattern();

    [GeneratedRegex("(?<interpolated>\\$)?\"(?<body>(?:SELECT|INSERT|UPDATE|DELETE)\\b[^\"\\n]*)\"")]
    private static partial Regex PlainSqlPattern();

    [GeneratedRegex("const string (?<name>\\w+) = \"(?<value>[^\"]*)\";")]
    private static partial Regex ConstantPattern();

    [GeneratedRegex("const string (?<name>\\w+) = \\$?\"\"\"(?<value>.*?)\"\"\";", RegexOptions.Singleline)]
    private static partial Regex RawConstantPattern();

    [GeneratedRegex("\\{([\\w.]+)\\}")]
    private static partial Regex InterpolationPattern();

    [GeneratedRegex("^\\s*(?:(?:public|private|internal|protected|static|async|override|sealed|readonly)\\s+)+[\\w<>\\[\\]?,. ()]*?\\b(?<name>\\w+)\\s*(?:<[^>\\n]*>)?\\s*(?:\\(|=>|=)", RegexOptions.Multiline)]
    private static partial Regex MemberPattern();

    [GeneratedRegex("\\bclass (\\w+)")]
    private static partial Regex ClassPattern();

    [GeneratedRegex("^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatementStart();
}
