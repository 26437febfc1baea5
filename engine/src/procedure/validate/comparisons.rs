//! Expression checks beyond "does it compile": comparisons that can never change their answer,
//! and fee formulas that charge a fraction of a đồng.

use super::super::expr::{Expression, ExpressionEngine, Literal, Variables, literal_comparisons};
use super::super::model::FieldKind;
use super::{Check, FieldPath, Problem, did_you_mean, quoted};

impl Check<'_> {
    /// Comparisons that can never hold (or always hold) given the field's own declaration: a
    /// choice or channel compared with a value outside its list, a number outside its range.
    pub(super) fn impossible_comparisons(&mut self, text: &str, path: &FieldPath) {
        let definition = self.definition;
        for comparison in literal_comparisons(text) {
            let field = definition
                .documents
                .iter()
                .flat_map(|document| &document.fields)
                .find(|field| field.id == comparison.variable);
            let (message, fix) = match (&comparison.literal, field) {
                (Literal::Text(value), None) if comparison.variable == "channel" => {
                    let offered: Vec<&str> = definition
                        .channels
                        .iter()
                        .map(|channel| channel.channel.as_str())
                        .collect();
                    if offered.contains(&value.as_str()) {
                        continue;
                    }
                    (
                        format!(
                            "`channel` is compared with \"{value}\", which is not a channel of this procedure, so the comparison never changes"
                        ),
                        format!("compare with one of: {}", quoted(&offered)),
                    )
                }
                (Literal::Text(value), Some(field)) if field.kind == FieldKind::Choice => {
                    if field.choices.contains(value) {
                        continue;
                    }
                    let choices: Vec<&str> = field.choices.iter().map(String::as_str).collect();
                    (
                        format!(
                            "`{}` is compared with \"{value}\", which is not one of its choices, so the comparison never changes",
                            field.id
                        ),
                        match did_you_mean(value, choices.iter().copied()) {
                            Some(close) => format!(
                                "did you mean \"{close}\"? the choices are {}",
                                quoted(&choices)
                            ),
                            None => {
                                format!("compare with one of its choices: {}", quoted(&choices))
                            }
                        },
                    )
                }
                (Literal::Number(value), Some(field))
                    if matches!(field.kind, FieldKind::Integer | FieldKind::Decimal) =>
                {
                    let min = field.min.map(rust_decimal::Decimal::from);
                    let max = field.max.map(rust_decimal::Decimal::from);
                    let never = match comparison.operator {
                        "==" => {
                            min.is_some_and(|min| *value < min)
                                || max.is_some_and(|max| *value > max)
                        }
                        ">" => max.is_some_and(|max| *value >= max),
                        ">=" => max.is_some_and(|max| *value > max),
                        "<" => min.is_some_and(|min| *value <= min),
                        "<=" => min.is_some_and(|min| *value < min),
                        _ => false,
                    };
                    if !never {
                        continue;
                    }
                    (
                        format!(
                            "`{} {} {value}` can never hold: the field allows only {} to {}",
                            field.id,
                            comparison.operator,
                            field.min.map_or_else(|| "any".to_owned(), |min| min.to_string()),
                            field.max.map_or_else(|| "any".to_owned(), |max| max.to_string()),
                        ),
                        "compare with a value inside the field's `min`..`max`, or correct the range".to_owned(),
                    )
                }
                _ => continue,
            };
            let mut problem = Problem::at(path.clone(), message, fix);
            problem.offset = comparison.offset + 1;
            self.problems.push(problem);
        }
    }

    /// A formula that gives a fraction of a đồng on ordinary values: fees are whole đồng, and
    /// rounding them silently would charge what the fee schedule does not say.
    pub(super) fn fractional_fee(
        &mut self,
        engine: &ExpressionEngine,
        expression: &Expression,
        variables: &Variables,
        path: FieldPath,
    ) {
        if let Ok(amount) = engine.evaluate_amount(expression, variables)
            && !amount.fract().is_zero()
        {
            self.problem(
                path,
                format!(
                    "the fee comes to {amount} đồng on sample values (each number field 1), a fraction of a đồng"
                ),
                "fees are whole đồng: use whole amounts, or round explicitly, e.g. `round(2500.5 * so_ban_sao)`",
            );
        }
    }
}
