namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>
/// Evaluates the catalogue's percentage expressions ("A / B", "(A - B) / A", "A / (B + C + D)"): item codes, + - /
/// and parentheses. Returns null when a division by zero occurs.
/// </summary>
public static class FormulaExpression
{
    // Expressions come from the catalogue, a handful in all: tokenize each once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<string>> Tokenized = new();

    public static decimal? Evaluate(string expression, IReadOnlyDictionary<string, decimal> values) =>
        Evaluate(expression, code => values.TryGetValue(code, out var value) ? value : throw new FormatException($"Unknown item '{code}' in formula."));

    public static decimal? Evaluate(string expression, Func<string, decimal> values)
    {
        var tokens = Tokenized.GetOrAdd(expression, Tokenize);
        var position = 0;
        var result = Sum(tokens, ref position, values);
        if (position != tokens.Count)
        {
            throw new FormatException($"Unexpected '{tokens[position]}' in formula '{expression}'.");
        }
        return result;
    }

    private static decimal? Sum(List<string> tokens, ref int position, Func<string, decimal> values)
    {
        var left = Quotient(tokens, ref position, values);
        while (position < tokens.Count && tokens[position] is "+" or "-")
        {
            var op = tokens[position++];
            var right = Quotient(tokens, ref position, values);
            left = left is null || right is null ? null : op == "+" ? left + right : left - right;
        }
        return left;
    }

    private static decimal? Quotient(List<string> tokens, ref int position, Func<string, decimal> values)
    {
        var left = Operand(tokens, ref position, values);
        while (position < tokens.Count && tokens[position] == "/")
        {
            position++;
            var right = Operand(tokens, ref position, values);
            left = left is null || right is null || right == 0 ? null : left / right;
        }
        return left;
    }

    private static decimal? Operand(List<string> tokens, ref int position, Func<string, decimal> values)
    {
        if (position >= tokens.Count)
        {
            throw new FormatException("The formula ends too early.");
        }
        var token = tokens[position++];
        if (token == "(")
        {
            var inner = Sum(tokens, ref position, values);
            if (position >= tokens.Count || tokens[position++] != ")")
            {
                throw new FormatException("A parenthesis is not closed.");
            }
            return inner;
        }
        return values(token);
    }

    private static List<string> Tokenize(string expression)
    {
        var tokens = new List<string>();
        for (var i = 0; i < expression.Length;)
        {
            var c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or '+' or '-' or '/')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var start = i;
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] == '.'))
                {
                    i++;
                }
                if (start == i)
                {
                    throw new FormatException($"Unexpected '{c}' in formula '{expression}'.");
                }
                tokens.Add(expression[start..i]);
            }
        }
        return tokens;
    }
}
