//! Guards and fee formulas: small rhai expressions, compiled when a procedure loads.
//!
//! The sandbox: expression-only (no statements, loops, functions or modules), strict variables
//! (every name must be an e-form field or a built-in), exact decimals instead of floats, and
//! bounded operations, depth and string size, so a procedure file cannot hang or exhaust hoso.

use std::fmt;

use rhai::{AST, Dynamic, Engine, EvalAltResult, ImmutableString, Position, Scope};
use rust_decimal::Decimal;

use super::model::{FieldKind, ProcedureDefinition};
use crate::messages::DesignProblem;

/// What an expression is for, which fixes the type it must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionKind {
    /// A guard (điều kiện) or exemption: must produce true or false.
    Condition,
    /// A fee formula: must produce a whole or decimal number of đồng.
    Amount,
}

/// A compiled expression and the text it came from.
#[derive(Clone)]
pub struct Expression {
    source: String,
    ast: AST,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl Expression {
    /// The text the designer wrote.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Why an expression was refused, with the byte offset inside its text when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionError {
    /// What is wrong and how to fix it, worded by the message catalogue.
    pub said: DesignProblem,
    /// Byte offset into the expression text.
    pub offset: usize,
}

/// The names an expression may use, each with a sample value of its type.
pub struct Variables {
    samples: Vec<(String, Dynamic)>,
}

impl Variables {
    /// The e-form fields of every document, plus `channel` ("direct", "online" or "postal").
    pub fn of(definition: &ProcedureDefinition) -> Self {
        let mut samples = vec![("channel".to_owned(), Dynamic::from("online".to_owned()))];
        for field in definition
            .documents
            .iter()
            .flat_map(|document| &document.fields)
        {
            let sample = match field.kind {
                FieldKind::Integer => Dynamic::from(1_i64),
                FieldKind::Decimal => Dynamic::from(Decimal::ONE),
                FieldKind::Boolean => Dynamic::from(false),
                FieldKind::Date => Dynamic::from("2025-01-01".to_owned()),
                FieldKind::Choice => {
                    Dynamic::from(field.choices.first().cloned().unwrap_or_default())
                }
                FieldKind::Text | FieldKind::Phone | FieldKind::Email | FieldKind::IdNumber => {
                    Dynamic::from(String::new())
                }
            };
            samples.push((field.id.clone(), sample));
        }
        Self { samples }
    }

    /// Values for evaluation on a dossier: each field's value from the form, or the empty value
    /// of its kind (false, 0, "") when the applicant left an optional field empty.
    pub fn bind(
        definition: &ProcedureDefinition,
        channel: &str,
        form: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let mut samples = vec![("channel".to_owned(), Dynamic::from(channel.to_owned()))];
        for field in definition
            .documents
            .iter()
            .flat_map(|document| &document.fields)
        {
            let value = form.get(&field.id).filter(|value| !value.is_null());
            let bound = match field.kind {
                FieldKind::Integer => {
                    Dynamic::from(value.and_then(serde_json::Value::as_i64).unwrap_or(0))
                }
                FieldKind::Decimal => Dynamic::from(
                    value
                        .and_then(crate::case::decimal_of)
                        .unwrap_or(Decimal::ZERO),
                ),
                FieldKind::Boolean => {
                    Dynamic::from(value.and_then(serde_json::Value::as_bool).unwrap_or(false))
                }
                _ => Dynamic::from(
                    value
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                ),
            };
            samples.push((field.id.clone(), bound));
        }
        Self { samples }
    }

    /// The names, for messages.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.samples.iter().map(|(name, _)| name.as_str())
    }

    fn scope(&self) -> Scope<'static> {
        let mut scope = Scope::new();
        for (name, sample) in &self.samples {
            scope.push_dynamic(name.clone(), sample.clone());
        }
        scope
    }
}

/// The sandboxed rhai engine every procedure shares.
pub struct ExpressionEngine {
    engine: Engine,
}

impl Default for ExpressionEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl ExpressionEngine {
    /// An engine with the sandbox limits set.
    pub fn new() -> Self {
        let mut engine = Engine::new();
        engine
            .set_strict_variables(true)
            .set_allow_looping(false)
            .set_fast_operators(false)
            .set_max_operations(10_000)
            .set_max_expr_depths(32)
            .set_max_string_size(4_096)
            .set_max_array_size(256)
            .set_max_map_size(256)
            .on_print(|_| {})
            .on_debug(|_, _, _| {});
        for symbol in ["eval", "print", "debug"] {
            engine.disable_symbol(symbol);
        }
        forbid_mixed_comparisons(&mut engine);
        Self { engine }
    }

    /// Compiles `text` against the procedure's variables, then runs it once on sample values so
    /// that type mistakes (adding text to a number, a guard that yields a number) show at load.
    pub fn compile(
        &self,
        text: &str,
        variables: &Variables,
        kind: ExpressionKind,
    ) -> Result<Expression, ExpressionError> {
        let scope = variables.scope();
        let ast = self
            .engine
            .compile_expression_with_scope(&scope, text)
            .map_err(|error| {
                let position = error.position();
                let said = match error.err_type() {
                    rhai::ParseErrorType::VariableUndefined(name) => {
                        let known: Vec<&str> = variables.names().collect();
                        DesignProblem::UndefinedVariable {
                            name: name.clone(),
                            close: crate::located::did_you_mean(name, known.iter().copied())
                                .map(str::to_owned),
                            known: known.iter().map(|name| (*name).to_owned()).collect(),
                        }
                    }
                    other => DesignProblem::NotAnExpression {
                        detail: other.to_string(),
                    },
                };
                ExpressionError {
                    said,
                    offset: offset_of(text, position),
                }
            })?;
        let expression = Expression {
            source: text.to_owned(),
            ast,
        };
        self.check_sample(&expression, variables, kind)?;
        Ok(expression)
    }

    /// Evaluates a condition (guard or exemption) on bound values.
    pub fn evaluate_condition(
        &self,
        expression: &Expression,
        values: &Variables,
    ) -> Result<bool, String> {
        let mut scope = values.scope();
        self.engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &expression.ast)
            .map_err(|error| format!("`{}` failed: {error}", expression.source))?
            .as_bool()
            .map_err(|kind| format!("`{}` gave {kind}, not true or false", expression.source))
    }

    /// Evaluates a fee formula on bound values, in exact decimals.
    pub fn evaluate_amount(
        &self,
        expression: &Expression,
        values: &Variables,
    ) -> Result<Decimal, String> {
        let mut scope = values.scope();
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &expression.ast)
            .map_err(|error| format!("`{}` failed: {error}", expression.source))?;
        if let Ok(integer) = value.as_int() {
            return Ok(Decimal::from(integer));
        }
        value
            .try_cast::<Decimal>()
            .ok_or_else(|| format!("`{}` did not give a number", expression.source))
    }

    fn check_sample(
        &self,
        expression: &Expression,
        variables: &Variables,
        kind: ExpressionKind,
    ) -> Result<(), ExpressionError> {
        let mut scope = variables.scope();
        let outcome = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &expression.ast);
        let value = match outcome {
            Ok(value) => value,
            Err(error) => match *error {
                EvalAltResult::ErrorFunctionNotFound(ref signature, position) => {
                    return Err(ExpressionError {
                        said: DesignProblem::MixedTypes {
                            signature: signature.clone(),
                        },
                        offset: offset_of(&expression.source, position),
                    });
                }
                EvalAltResult::ErrorMismatchDataType(ref left, ref right, position) => {
                    return Err(ExpressionError {
                        said: DesignProblem::MixedTypePair {
                            left: short_type_name(left),
                            right: short_type_name(right),
                        },
                        offset: offset_of(&expression.source, position),
                    });
                }
                // Other run-time failures (a division by zero on sample values, say) depend on
                // the real values and are reported when the expression runs on a dossier.
                _ => return Ok(()),
            },
        };
        let fits = match kind {
            ExpressionKind::Condition => value.is_bool(),
            ExpressionKind::Amount => value.is_int() || value.is::<Decimal>(),
        };
        if fits {
            Ok(())
        } else {
            Err(ExpressionError {
                said: DesignProblem::WrongResult {
                    found: short_type_name(value.type_name()),
                    wanted: kind,
                },
                offset: 0,
            })
        }
    }
}

/// A value written in an expression's text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A quoted text.
    Text(String),
    /// A number.
    Number(Decimal),
}

/// `variable operator literal`, as written (a literal on the left is turned around).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    pub(crate) variable: String,
    pub(crate) operator: &'static str,
    pub(crate) literal: Literal,
    /// Byte offset of the literal in the text.
    pub(crate) offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Literal(Literal),
    Symbol(&'static str),
    Other,
}

/// The comparisons of a variable with a literal that stand alone in a condition (between
/// `&&`, `||`, brackets, `if` or the ends), so that `a * b == 5` is not read as `b == 5`, nor
/// `!a == 5` (which compares `!a`) as `a == 5`.
pub(crate) fn literal_comparisons(text: &str) -> Vec<Comparison> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    let separates = |token: Option<&(Token, usize)>| match token {
        None => true,
        Some((Token::Symbol(symbol), _)) => ["(", ")", "&&", "||", "{", "}"].contains(symbol),
        // `else` is always followed by `if` or a block, so only `if` comes before a comparison.
        Some((Token::Name(name), _)) => name == "if",
        Some(_) => false,
    };
    for index in 0..tokens.len().saturating_sub(2) {
        let operator = match &tokens[index + 1].0 {
            Token::Symbol(operator) if ["==", "!=", ">", ">=", "<", "<="].contains(operator) => {
                *operator
            }
            _ => continue,
        };
        let before = index.checked_sub(1).and_then(|before| tokens.get(before));
        if !separates(before) || !separates(tokens.get(index + 3)) {
            continue;
        }
        let comparison = match (&tokens[index], &tokens[index + 2]) {
            ((Token::Name(name), _), (Token::Literal(literal), offset)) => Comparison {
                variable: name.clone(),
                operator,
                literal: literal.clone(),
                offset: *offset,
            },
            ((Token::Literal(literal), offset), (Token::Name(name), _)) => Comparison {
                variable: name.clone(),
                operator: match operator {
                    ">" => "<",
                    ">=" => "<=",
                    "<" => ">",
                    "<=" => ">=",
                    same => same,
                },
                literal: literal.clone(),
                offset: *offset,
            },
            _ => continue,
        };
        if comparison.variable != "true" && comparison.variable != "false" {
            found.push(comparison);
        }
    }
    found
}

fn tokens(text: &str) -> Vec<(Token, usize)> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((offset, char)) = chars.next() {
        let token = match char {
            c if c.is_whitespace() => continue,
            '"' | '`' => {
                let mut content = String::new();
                while let Some((_, next)) = chars.next() {
                    match next {
                        '\\' => content.extend(chars.next().map(|(_, escaped)| escaped)),
                        end if end == char => break,
                        other => content.push(other),
                    }
                }
                Token::Literal(Literal::Text(content))
            }
            c if c.is_ascii_digit() => {
                let mut number = String::from(c);
                while let Some((_, next)) =
                    chars.next_if(|(_, next)| next.is_ascii_digit() || *next == '.' || *next == '_')
                {
                    if next != '_' {
                        number.push(next);
                    }
                }
                number
                    .parse()
                    .map_or(Token::Other, |value| Token::Literal(Literal::Number(value)))
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut name = String::from(c);
                while let Some((_, next)) =
                    chars.next_if(|(_, next)| next.is_alphanumeric() || *next == '_')
                {
                    name.push(next);
                }
                Token::Name(name)
            }
            _ => {
                let pair = chars.peek().map(|(_, next)| (char, *next));
                let double = match pair {
                    Some(('=', '=')) => Some("=="),
                    Some(('!', '=')) => Some("!="),
                    Some(('>', '=')) => Some(">="),
                    Some(('<', '=')) => Some("<="),
                    Some(('&', '&')) => Some("&&"),
                    Some(('|', '|')) => Some("||"),
                    _ => None,
                };
                if let Some(symbol) = double {
                    chars.next();
                    Token::Symbol(symbol)
                } else {
                    match char {
                        '>' => Token::Symbol(">"),
                        '<' => Token::Symbol("<"),
                        '(' => Token::Symbol("("),
                        ')' => Token::Symbol(")"),
                        '{' => Token::Symbol("{"),
                        '}' => Token::Symbol("}"),
                        _ => Token::Other,
                    }
                }
            }
        };
        tokens.push((token, offset));
    }
    tokens
}

/// rhai answers `false` when values of different types are compared, so `so_ban_sao > "3"`
/// would silently never hold. These overloads make such comparisons an error instead.
fn forbid_mixed_comparisons(engine: &mut Engine) {
    macro_rules! forbid {
        ($($left:ty, $right:ty);* $(;)?) => {$(
            for operator in ["==", "!=", ">", ">=", "<", "<="] {
                engine.register_fn(operator, |_: $left, _: $right| -> Result<bool, Box<EvalAltResult>> {
                    Err(EvalAltResult::ErrorMismatchDataType(
                        stringify!($left).to_owned(),
                        stringify!($right).to_owned(),
                        Position::NONE,
                    )
                    .into())
                });
            }
        )*};
    }
    forbid! {
        i64, ImmutableString; ImmutableString, i64;
        Decimal, ImmutableString; ImmutableString, Decimal;
        bool, ImmutableString; ImmutableString, bool;
        bool, i64; i64, bool;
        bool, Decimal; Decimal, bool;
    }
}

/// `alloc::string::String` → `string`, for messages.
fn short_type_name(name: &str) -> String {
    let last = name.rsplit("::").next().unwrap_or(name);
    match last {
        "ImmutableString" | "String" | "&str" => "text".to_owned(),
        "i64" => "a whole number".to_owned(),
        "Decimal" | "decimal" => "a decimal number".to_owned(),
        "bool" => "true/false".to_owned(),
        other => other.to_owned(),
    }
}

/// Byte offset of a rhai position (1-based line and column) inside `text`.
fn offset_of(text: &str, position: Position) -> usize {
    let (Some(line), Some(column)) = (position.line(), position.position()) else {
        return 0;
    };
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let column_bytes: usize = text[line_start.min(text.len())..]
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    line_start + column_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> Variables {
        Variables {
            samples: vec![
                ("so_ban_sao".to_owned(), Dynamic::from(1_i64)),
                ("ho_ngheo".to_owned(), Dynamic::from(false)),
                ("channel".to_owned(), Dynamic::from("online".to_owned())),
            ],
        }
    }

    #[test]
    fn comparisons_with_literals_are_found_where_they_stand_alone() {
        let found = literal_comparisons(
            "loai == \"mot\" && (3 < so_ban_sao || !(channel != `postal`)) && a * b == 5",
        );
        let summary: Vec<(&str, &str, Literal, usize)> = found
            .iter()
            .map(|c| (c.variable.as_str(), c.operator, c.literal.clone(), c.offset))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("loai", "==", Literal::Text("mot".to_owned()), 8),
                ("so_ban_sao", ">", Literal::Number(Decimal::from(3)), 18),
                ("channel", "!=", Literal::Text("postal".to_owned()), 49),
            ]
        );
        assert!(literal_comparisons("if x { 1 } else { 2 }").is_empty());
        let conditional =
            literal_comparisons("if loai == \"a\" { 1 } else if so <= 2 { 2 } else { !(so > 3) }");
        let operators: Vec<(&str, &str)> = conditional
            .iter()
            .map(|c| (c.variable.as_str(), c.operator))
            .collect();
        assert_eq!(operators, [("loai", "=="), ("so", "<="), ("so", ">")]);
        assert!(
            literal_comparisons("{ x == 1 }")[0].variable == "x",
            "braces separate"
        );
        assert!(literal_comparisons("true == 1 || false != 2").is_empty());
        assert!(literal_comparisons("a > 1 > 2").len() <= 1);
        assert!(
            literal_comparisons("!so == 5 || !(so != 5)")
                .iter()
                .all(|c| c.operator == "!="),
            "`!so == 5` compares `!so`, not `so`"
        );
        assert_eq!(
            literal_comparisons("so >= 2.5")[0].literal,
            Literal::Number("2.5".parse().expect("decimal"))
        );
        assert_eq!(
            literal_comparisons("ten == \"a\\\"b\"")[0].literal,
            Literal::Text("a\"b".to_owned())
        );
    }

    #[test]
    fn fee_formulas_and_guards_compile() {
        let engine = ExpressionEngine::new();
        assert!(
            engine
                .compile("8000 * so_ban_sao", &variables(), ExpressionKind::Amount)
                .is_ok()
        );
        assert!(
            engine
                .compile(
                    "0.5 * 8000 * so_ban_sao",
                    &variables(),
                    ExpressionKind::Amount
                )
                .is_ok()
        );
        let rounded = engine
            .compile(
                "round(2500.5 * so_ban_sao)",
                &variables(),
                ExpressionKind::Amount,
            )
            .expect("the fix the validator gives for fractional fees compiles");
        // rhai's `round` takes a half to the even neighbour (docs/procedure-format.md says so).
        assert_eq!(
            engine.evaluate_amount(&rounded, &variables()),
            Ok(Decimal::from(2500))
        );
        assert!(
            engine
                .compile(
                    "ho_ngheo || channel == \"online\"",
                    &variables(),
                    ExpressionKind::Condition
                )
                .is_ok()
        );
    }

    #[test]
    fn undefined_variables_are_named_with_a_suggestion() {
        let engine = ExpressionEngine::new();
        let error = engine
            .compile("8000 * so_ban_sa", &variables(), ExpressionKind::Amount)
            .expect_err("undefined variable must be refused");
        assert!(
            matches!(
                &error.said,
                DesignProblem::UndefinedVariable { name, close: Some(close), .. }
                    if name == "so_ban_sa" && close == "so_ban_sao"
            ),
            "{error:?}"
        );
        assert_eq!(error.offset, 7);
    }

    #[test]
    fn statements_loops_and_wrong_types_are_refused() {
        let engine = ExpressionEngine::new();
        for bad in ["loop { }", "let x = 1; x", "so_ban_sao = 3", "fn f() { 1 }"] {
            assert!(
                engine
                    .compile(bad, &variables(), ExpressionKind::Amount)
                    .is_err(),
                "{bad}"
            );
        }
        for mixed in [
            "so_ban_sao > \"3\"",
            "\"3\" == so_ban_sao",
            "ho_ngheo < 1",
            "so_ban_sao * \"x\" > 1",
        ] {
            let error = engine
                .compile(mixed, &variables(), ExpressionKind::Condition)
                .expect_err(mixed);
            assert!(
                matches!(
                    error.said,
                    DesignProblem::MixedTypes { .. } | DesignProblem::MixedTypePair { .. }
                ),
                "{mixed}: {error:?}"
            );
        }
        assert!(
            engine
                .compile(
                    "so_ban_sao && true",
                    &variables(),
                    ExpressionKind::Condition
                )
                .is_err()
        );
        assert!(
            engine
                .compile("so_ban_sao", &variables(), ExpressionKind::Condition)
                .is_err()
        );
        assert!(
            engine
                .compile("ho_ngheo", &variables(), ExpressionKind::Amount)
                .is_err()
        );
    }
}
