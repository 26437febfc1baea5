//! Procedure diagrams: steps as boxes, actions as arrows labelled with who may take them.

use std::fmt::Write as _;

use super::Procedure;
use super::model::Outcome;

/// The diagram languages hoso draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Mermaid flowchart, rendered by GitHub, GitLab and most Markdown viewers.
    Mermaid,
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
}

/// Draws the internal process: receipt → steps → final decisions.
pub fn render_graph(procedure: &Procedure, format: GraphFormat) -> String {
    let definition = procedure.definition();
    let role_name = |id: &str| {
        definition
            .roles
            .iter()
            .find(|role| role.id == id)
            .map_or(id.to_owned(), |role| role.name.clone())
    };
    let unit_name = |id: &str| {
        definition
            .units
            .iter()
            .find(|unit| unit.id == id)
            .map_or(id.to_owned(), |unit| unit.name.clone())
    };
    let outcome_label = |outcome: Outcome| match outcome {
        Outcome::Approved => "Giải quyết — trả kết quả",
        Outcome::Refused => "Từ chối giải quyết",
    };
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            let _ = writeln!(out, "flowchart TD");
            let _ = writeln!(out, "    received([\"Tiếp nhận hồ sơ hợp lệ\"])");
            for step in &definition.steps {
                let _ = writeln!(
                    out,
                    "    {}[\"{}<br/><small>{} · {} · {}</small>\"]",
                    step.id,
                    mermaid_text(&step.name),
                    mermaid_text(&role_name(&step.role)),
                    mermaid_text(&unit_name(&step.unit)),
                    step.allotted.vietnamese()
                );
            }
            for outcome in [Outcome::Approved, Outcome::Refused] {
                if definition
                    .actions
                    .iter()
                    .any(|action| action.outcome == Some(outcome))
                {
                    let _ = writeln!(
                        out,
                        "    outcome_{}((\"{}\"))",
                        outcome.as_str(),
                        outcome_label(outcome)
                    );
                }
            }
            let _ = writeln!(out, "    received --> {}", definition.start);
            for action in &definition.actions {
                let target = match (&action.to, action.outcome) {
                    (Some(to), _) => to.clone(),
                    (None, Some(outcome)) => format!("outcome_{}", outcome.as_str()),
                    (None, None) => continue,
                };
                let roles: Vec<String> = action.roles.iter().map(|role| role_name(role)).collect();
                let guard = action
                    .guard
                    .as_ref()
                    .map(|guard| format!("<br/>nếu {}", mermaid_text(guard)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {} -->|\"{}<br/><i>{}</i>{}\"| {}",
                    action.from,
                    mermaid_text(&action.name),
                    mermaid_text(&roles.join(", ")),
                    guard,
                    target
                );
            }
        }
        GraphFormat::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{", dot_text(definition.code.as_str()));
            let _ = writeln!(out, "    rankdir=TB;");
            let _ = writeln!(
                out,
                "    label=\"{} — {} (v{})\";",
                dot_text(definition.code.as_str()),
                dot_text(&definition.name),
                definition.version
            );
            let _ = writeln!(
                out,
                "    node [shape=box, style=rounded, fontname=\"Helvetica\"];"
            );
            let _ = writeln!(
                out,
                "    received [shape=oval, label=\"Tiếp nhận hồ sơ hợp lệ\"];"
            );
            for step in &definition.steps {
                let _ = writeln!(
                    out,
                    "    {} [label=\"{}\\n{} · {} · {}\"];",
                    step.id,
                    dot_text(&step.name),
                    dot_text(&role_name(&step.role)),
                    dot_text(&unit_name(&step.unit)),
                    step.allotted.vietnamese()
                );
            }
            for outcome in [Outcome::Approved, Outcome::Refused] {
                if definition
                    .actions
                    .iter()
                    .any(|action| action.outcome == Some(outcome))
                {
                    let _ = writeln!(
                        out,
                        "    outcome_{} [shape=doublecircle, label=\"{}\"];",
                        outcome.as_str(),
                        outcome_label(outcome)
                    );
                }
            }
            let _ = writeln!(out, "    received -> {};", definition.start);
            for action in &definition.actions {
                let target = match (&action.to, action.outcome) {
                    (Some(to), _) => to.clone(),
                    (None, Some(outcome)) => format!("outcome_{}", outcome.as_str()),
                    (None, None) => continue,
                };
                let roles: Vec<String> = action.roles.iter().map(|role| role_name(role)).collect();
                let guard = action
                    .guard
                    .as_ref()
                    .map(|guard| format!("\\nnếu {}", dot_text(guard)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {} -> {} [label=\"{}\\n({}){}\"];",
                    action.from,
                    target,
                    dot_text(&action.name),
                    dot_text(&roles.join(", ")),
                    guard
                );
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}

/// Mermaid labels are quoted; quotes and markup characters inside become entities.
fn mermaid_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "#quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "#124;")
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
