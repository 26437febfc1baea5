//! Expression checks beyond "does it compile": comparisons that can never change their answer,
//! and fee formulas that charge a fraction of a đồng.

use super::super::expr::{Expression, ExpressionEngine, Literal, Variables, literal_comparisons};
use super::super::model::FieldKind;
use super::{Check, FieldPath, Problem, did_you_mean};
use crate::messages::DesignProblem;

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
            let said = match (&comparison.literal, field) {
                (Literal::Text(value), None) if comparison.variable == "channel" => {
                    let offered: Vec<&str> = definition
                        .channels
                        .iter()
                        .map(|channel| channel.channel.as_str())
                        .collect();
                    if offered.contains(&value.as_str()) {
                        continue;
                    }
                    DesignProblem::ChannelNeverMatches {
                        value: value.clone(),
                        offered: owned(&offered),
                    }
                }
                (Literal::Text(value), Some(field)) if field.kind == FieldKind::Choice => {
                    if field.choices.contains(value) {
                        continue;
                    }
                    let choices: Vec<&str> = field.choices.iter().map(String::as_str).collect();
                    DesignProblem::ChoiceNeverMatches {
                        field: field.id.clone(),
                        value: value.clone(),
                        close: did_you_mean(value, choices.iter().copied()).map(str::to_owned),
                        choices: owned(&choices),
                    }
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
                    DesignProblem::NumberNeverHolds {
                        field: field.id.clone(),
                        operator: comparison.operator.to_owned(),
                        value: value.to_string(),
                        min: field.min,
                        max: field.max,
                    }
                }
                _ => continue,
            };
            let mut problem = Problem::at(path.clone(), said);
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
                DesignProblem::FractionalFee {
                    amount: amount.to_string(),
                },
            );
        }
    }
}

fn owned(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}
