//! Procedure diagrams: steps as boxes, actions as arrows labelled with who may take them.
//!
//! The graph is built once ([`Diagram`]) and written in either language, so Mermaid and DOT
//! always show the same thing.

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

/// A box: receipt, a step, or a final decision.
struct Node {
    id: String,
    title: String,
    detail: Option<String>,
    shape: Shape,
}

#[derive(Clone, Copy)]
enum Shape {
    Start,
    Step,
    End,
}

/// An arrow with the action's name, who may take it, and its condition.
struct Edge {
    from: String,
    to: String,
    title: String,
    roles: Option<String>,
    guard: Option<String>,
}

/// The neutral picture of a procedure's internal process.
struct Diagram {
    title: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Diagram {
    fn of(procedure: &Procedure) -> Self {
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
        let mut nodes = vec![Node {
            id: "received".to_owned(),
            title: "Tiếp nhận hồ sơ hợp lệ".to_owned(),
            detail: None,
            shape: Shape::Start,
        }];
        nodes.extend(definition.steps.iter().map(|step| Node {
            id: step.id.clone(),
            title: step.name.clone(),
            detail: Some(format!(
                "{} · {} · {}",
                role_name(&step.role),
                unit_name(&step.unit),
                step.allotted.vietnamese()
            )),
            shape: Shape::Step,
        }));
        for (outcome, title) in [
            (Outcome::Approved, "Giải quyết — trả kết quả"),
            (Outcome::Refused, "Từ chối giải quyết"),
        ] {
            if definition
                .actions
                .iter()
                .any(|action| action.outcome == Some(outcome))
            {
                nodes.push(Node {
                    id: format!("outcome_{}", outcome.as_str()),
                    title: title.to_owned(),
                    detail: None,
                    shape: Shape::End,
                });
            }
        }
        let mut edges = vec![Edge {
            from: "received".to_owned(),
            to: definition.start.clone(),
            title: String::new(),
            roles: None,
            guard: None,
        }];
        for action in &definition.actions {
            let to = match (&action.to, action.outcome) {
                (Some(to), _) => to.clone(),
                (None, Some(outcome)) => format!("outcome_{}", outcome.as_str()),
                (None, None) => continue,
            };
            let roles: Vec<String> = action.roles.iter().map(|role| role_name(role)).collect();
            edges.push(Edge {
                from: action.from.clone(),
                to,
                title: action.name.clone(),
                roles: Some(roles.join(", ")),
                guard: action.guard.clone(),
            });
        }
        Self {
            title: format!(
                "{} — {} (v{})",
                definition.code, definition.name, definition.version
            ),
            nodes,
            edges,
        }
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for node in &self.nodes {
            let label = match &node.detail {
                Some(detail) => format!(
                    "{}<br/><small>{}</small>",
                    mermaid_text(&node.title),
                    mermaid_text(detail)
                ),
                None => mermaid_text(&node.title),
            };
            let _ = match node.shape {
                Shape::Start => writeln!(out, "    {}([\"{label}\"])", node.id),
                Shape::Step => writeln!(out, "    {}[\"{label}\"]", node.id),
                Shape::End => writeln!(out, "    {}((\"{label}\"))", node.id),
            };
        }
        for edge in &self.edges {
            let Some(roles) = &edge.roles else {
                let _ = writeln!(out, "    {} --> {}", edge.from, edge.to);
                continue;
            };
            let guard = edge
                .guard
                .as_ref()
                .map(|guard| format!("<br/>nếu {}", mermaid_text(guard)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} -->|\"{}<br/><i>{}</i>{guard}\"| {}",
                edge.from,
                mermaid_text(&edge.title),
                mermaid_text(roles),
                edge.to
            );
        }
        out
    }

    fn dot(&self) -> String {
        let mut out = String::new();
        let graph_name = self.title.split(' ').next().unwrap_or_default();
        let _ = writeln!(out, "digraph \"{}\" {{", dot_text(graph_name));
        let _ = writeln!(out, "    rankdir=TB;");
        let _ = writeln!(out, "    label=\"{}\";", dot_text(&self.title));
        let _ = writeln!(
            out,
            "    node [shape=box, style=rounded, fontname=\"Helvetica\"];"
        );
        for node in &self.nodes {
            let label = match &node.detail {
                Some(detail) => format!("{}\\n{}", dot_text(&node.title), dot_text(detail)),
                None => dot_text(&node.title),
            };
            let shape = match node.shape {
                Shape::Start => ", shape=oval",
                Shape::Step => "",
                Shape::End => ", shape=doublecircle",
            };
            let _ = writeln!(out, "    {} [label=\"{label}\"{shape}];", node.id);
        }
        for edge in &self.edges {
            let Some(roles) = &edge.roles else {
                let _ = writeln!(out, "    {} -> {};", edge.from, edge.to);
                continue;
            };
            let guard = edge
                .guard
                .as_ref()
                .map(|guard| format!("\\nnếu {}", dot_text(guard)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} -> {} [label=\"{}\\n({}){guard}\"];",
                edge.from,
                edge.to,
                dot_text(&edge.title),
                dot_text(roles)
            );
        }
        let _ = writeln!(out, "}}");
        out
    }
}

/// Draws the internal process: receipt → steps → final decisions.
pub fn render_graph(procedure: &Procedure, format: GraphFormat) -> String {
    let diagram = Diagram::of(procedure);
    match format {
        GraphFormat::Mermaid => diagram.mermaid(),
        GraphFormat::Dot => diagram.dot(),
    }
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
