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
    /// SVG drawn by hoso itself (no Graphviz): one box per row, arrows between them.
    Svg,
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
    /// Deadlines that run along this arrow: windows, a time limit set or started here.
    notes: Vec<String>,
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
            (Outcome::Transferred, "Chuyển cơ quan có thẩm quyền"),
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
        let anchor_name = |from: &str| match from {
            "submitted" => "kể từ khi nộp".to_owned(),
            "received" => "kể từ khi tiếp nhận".to_owned(),
            "decided" => "kể từ khi có quyết định".to_owned(),
            action => format!(
                "kể từ khi {}",
                definition
                    .actions
                    .iter()
                    .find(|candidate| candidate.id == action)
                    .map_or(action, |candidate| candidate.name.as_str())
            ),
        };
        let window_note = |window: &super::Window| {
            format!(
                "⏱ {} ({} {})",
                window.name,
                window.within.vietnamese(),
                anchor_name(&window.from)
            )
        };
        let action_ids: Vec<&str> = definition.actions.iter().map(|a| a.id.as_str()).collect();
        let mut edges = vec![Edge {
            from: "received".to_owned(),
            to: definition.start.clone(),
            title: String::new(),
            roles: None,
            guard: None,
            // Windows on the one-stop desk's built-in commands run from the desk.
            notes: definition
                .windows
                .iter()
                .filter(|window| {
                    window
                        .commands
                        .iter()
                        .any(|command| !action_ids.contains(&command.as_str()))
                })
                .map(window_note)
                .collect(),
        }];
        for action in &definition.actions {
            let to = match (&action.to, action.outcome) {
                (Some(to), _) => to.clone(),
                (None, Some(outcome)) => format!("outcome_{}", outcome.as_str()),
                (None, None) => continue,
            };
            let roles: Vec<String> = action.roles.iter().map(|role| role_name(role)).collect();
            let mut notes: Vec<String> = Vec::new();
            if let Some(limit) = action.starts_time_limit {
                notes.push(format!("⏱ thời hạn {} tính từ đây", limit.vietnamese()));
            }
            if let Some(limit) = action.sets_time_limit {
                notes.push(format!("⏱ thời hạn {}", limit.vietnamese()));
            }
            notes.extend(
                definition
                    .windows
                    .iter()
                    .filter(|window| window.commands.contains(&action.id))
                    .map(window_note),
            );
            edges.push(Edge {
                from: action.from.clone(),
                to,
                title: action.name.clone(),
                roles: Some(roles.join(", ")),
                guard: action.guard.clone(),
                notes,
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
            let notes: String = edge
                .notes
                .iter()
                .map(|note| format!("<br/>{}", mermaid_text(note)))
                .collect();
            let Some(roles) = &edge.roles else {
                match notes.strip_prefix("<br/>") {
                    Some(notes) => {
                        let _ = writeln!(out, "    {} -->|\"{notes}\"| {}", edge.from, edge.to);
                    }
                    None => {
                        let _ = writeln!(out, "    {} --> {}", edge.from, edge.to);
                    }
                }
                continue;
            };
            let guard = edge
                .guard
                .as_ref()
                .map(|guard| format!("<br/>nếu {}", mermaid_text(guard)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} -->|\"{}<br/><i>{}</i>{guard}{notes}\"| {}",
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
            let notes: String = edge
                .notes
                .iter()
                .map(|note| format!("\\n{}", dot_text(note)))
                .collect();
            let Some(roles) = &edge.roles else {
                match notes.strip_prefix("\\n") {
                    Some(notes) => {
                        let _ =
                            writeln!(out, "    {} -> {} [label=\"{notes}\"];", edge.from, edge.to);
                    }
                    None => {
                        let _ = writeln!(out, "    {} -> {};", edge.from, edge.to);
                    }
                }
                continue;
            };
            let guard = edge
                .guard
                .as_ref()
                .map(|guard| format!("\\nnếu {}", dot_text(guard)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} -> {} [label=\"{}\\n({}){guard}{notes}\"];",
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

/// Rough text widths in pixels, enough to size boxes (Vietnamese letters are about as wide as
/// Latin ones in a sans-serif face).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

use crate::forms::escape as svg_text;

impl Diagram {
    /// Boxes in a column in the order of the file (receipt, steps, decisions); an arrow between
    /// neighbours goes straight down, a longer forward one runs in a lane on the right, a
    /// backward one (sent back for rework) in a lane on the left, each with its label.
    fn svg(&self) -> String {
        const ROW: f64 = 120.0;
        const BOX_HEIGHT: f64 = 54.0;
        const LANE: f64 = 14.0;
        let row_of = |id: &str| self.nodes.iter().position(|node| node.id == id);
        let box_width = self
            .nodes
            .iter()
            .map(|node| {
                text_width(&node.title, 14.0).max(
                    node.detail
                        .as_deref()
                        .map_or(0.0, |detail| text_width(detail, 11.0)),
                ) + 28.0
            })
            .fold(240.0_f64, f64::max)
            .min(620.0);
        let label_of = |edge: &Edge| -> Vec<String> {
            let mut lines = Vec::new();
            if let Some(roles) = &edge.roles {
                lines.push(format!("{} ({roles})", edge.title));
            }
            if let Some(guard) = &edge.guard {
                lines.push(format!("nếu {guard}"));
            }
            lines.extend(edge.notes.iter().cloned());
            lines
        };
        let edges: Vec<(usize, usize, &Edge)> = self
            .edges
            .iter()
            .filter_map(|edge| Some((row_of(&edge.from)?, row_of(&edge.to)?, edge)))
            .collect();
        let left_lanes = edges.iter().filter(|(from, to, _)| to <= from).count();
        let right_lanes = edges.iter().filter(|(from, to, _)| *to > from + 1).count();
        let widest_label = |side: &dyn Fn(usize, usize) -> bool| {
            edges
                .iter()
                .filter(|(from, to, _)| side(*from, *to))
                .flat_map(|(_, _, edge)| label_of(edge))
                .map(|line| text_width(&line, 11.0))
                .fold(0.0_f64, f64::max)
        };
        let left_space = if left_lanes > 0 {
            widest_label(&|from, to| to <= from) + left_lanes as f64 * LANE + 24.0
        } else {
            24.0
        };
        let box_x = left_space;
        let centre = box_x + box_width / 2.0;
        // Lanes start right of the labels of the straight arrows, so no label crosses a lane;
        // the lanes' own labels go right of every lane.
        let lanes_start = (centre + 10.0 + widest_label(&|from, to| to == from + 1) + 12.0)
            .max(box_x + box_width + 12.0);
        let lanes_end = lanes_start + right_lanes as f64 * LANE;
        let right_space =
            lanes_end - (box_x + box_width) + widest_label(&|from, to| to > from + 1) + 24.0;
        let width = box_x + box_width + right_space;
        let height = self.nodes.len() as f64 * ROW + 40.0;
        let top = |row: usize| 50.0 + row as f64 * ROW;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-labelledby=\"diagram-title\" font-family=\"sans-serif\">\n\
             <title id=\"diagram-title\">{}</title>\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n\
             <text x=\"{:.0}\" y=\"24\" font-size=\"15\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>\n",
            svg_text(&self.title),
            box_x,
            svg_text(&self.title)
        );
        for (row, node) in self.nodes.iter().enumerate() {
            let y = top(row);
            let (fill, radius) = match node.shape {
                Shape::Start => ("#e3f1e6", 27.0),
                Shape::Step => ("#ffffff", 6.0),
                Shape::End => ("#fdf0dc", 27.0),
            };
            let _ = writeln!(
                out,
                "<g class=\"node\" id=\"node-{id}\"><rect x=\"{box_x:.1}\" y=\"{y:.1}\" width=\"{box_width:.1}\" height=\"{BOX_HEIGHT}\" rx=\"{radius}\" fill=\"{fill}\" stroke=\"#333\"/>\
                 <text x=\"{centre:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#1a1a1a\">{title}</text>{detail}</g>",
                id = svg_text(&node.id),
                ty = y + if node.detail.is_some() { 22.0 } else { 32.0 },
                title = svg_text(&node.title),
                detail = node.detail.as_ref().map_or(String::new(), |detail| format!(
                    "<text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#4a4a4a\">{}</text>",
                    y + 40.0,
                    svg_text(detail)
                )),
            );
        }
        let (mut left, mut right) = (0, 0);
        for (from, to, edge) in &edges {
            let lines = label_of(edge);
            let (path, label_x, label_y, anchor) = if *to == from + 1 {
                let (y1, y2) = (top(*from) + BOX_HEIGHT, top(*to));
                (
                    format!("M{centre:.1},{y1:.1} L{centre:.1},{y2:.1}"),
                    centre + 10.0,
                    (y1 + y2) / 2.0 - 4.0,
                    "start",
                )
            } else if to > from {
                right += 1;
                let lane = lanes_start + right as f64 * LANE;
                let (y1, y2) = (
                    top(*from) + BOX_HEIGHT / 2.0 + 6.0,
                    top(*to) + BOX_HEIGHT / 2.0 + 6.0,
                );
                (
                    format!(
                        "M{:.1},{y1:.1} L{lane:.1},{y1:.1} L{lane:.1},{y2:.1} L{:.1},{y2:.1}",
                        box_x + box_width,
                        box_x + box_width
                    ),
                    lanes_end + 8.0,
                    (y1 + y2) / 2.0,
                    "start",
                )
            } else {
                left += 1;
                let lane = box_x - 12.0 - left as f64 * LANE;
                let (y1, y2) = (
                    top(*from) + BOX_HEIGHT / 2.0 - 6.0,
                    top(*to) + BOX_HEIGHT / 2.0 - 6.0,
                );
                (
                    format!(
                        "M{box_x:.1},{y1:.1} L{lane:.1},{y1:.1} L{lane:.1},{y2:.1} L{box_x:.1},{y2:.1}"
                    ),
                    box_x - 20.0 - left_lanes as f64 * LANE,
                    (y1 + y2) / 2.0,
                    "end",
                )
            };
            let _ = write!(
                out,
                "<g class=\"edge\"><path d=\"{path}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
            );
            for (index, line) in lines.iter().enumerate() {
                let _ = write!(
                    out,
                    "<text x=\"{label_x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"11\" fill=\"#1a1a1a\">{}</text>",
                    label_y + index as f64 * 13.0,
                    svg_text(line)
                );
            }
            let _ = writeln!(out, "</g>");
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Draws the internal process: receipt → steps → final decisions.
pub fn render_graph(procedure: &Procedure, format: GraphFormat) -> String {
    let diagram = Diagram::of(procedure);
    match format {
        GraphFormat::Mermaid => diagram.mermaid(),
        GraphFormat::Dot => diagram.dot(),
        GraphFormat::Svg => diagram.svg(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn birth() -> Procedure {
        let text = include_str!("../../../procedures/1.001193-dang-ky-khai-sinh.toml");
        Procedure::load("1.001193.toml", text).expect("the birth registration loads")
    }

    #[test]
    fn the_svg_draws_every_box_and_every_arrow_with_its_label() {
        let procedure = birth();
        let svg = render_graph(&procedure, GraphFormat::Svg);
        let definition = procedure.definition();
        assert_eq!(
            svg.matches("<g class=\"node\"").count(),
            definition.steps.len() + 3,
            "receipt, steps, two outcomes"
        );
        let arrows = definition
            .actions
            .iter()
            .filter(|action| action.to.is_some() || action.outcome.is_some())
            .count();
        assert_eq!(
            svg.matches("<g class=\"edge\"").count(),
            arrows + 1,
            "every action and the receipt"
        );
        for step in &definition.steps {
            assert!(svg.contains(&svg_text(&step.name)), "{}", step.name);
        }
        for action in &definition.actions {
            assert!(svg.contains(&svg_text(&action.name)), "{}", action.name);
        }
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "every coordinate is a number"
        );
    }

    #[test]
    fn mermaid_and_dot_draw_windows_limits_and_the_transfer() {
        let text = include_str!("../../../procedures/PAKN.1-phan-anh-kien-nghi.toml").replace(
            "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]",
            "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]\nstarts_time_limit = { working_days = 15 }",
        );
        let procedure = Procedure::load("PAKN.1.toml", &text).expect("feedback loads");
        let mermaid = render_graph(&procedure, GraphFormat::Mermaid);
        for expected in [
            "flowchart TD\n",
            "    received -->|\"⏱ Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc (2 ngày làm việc kể từ khi nộp)<br/>",
            "⏱ Công khai văn bản trả lời trong 02 ngày làm việc (2 ngày làm việc kể từ khi có quyết định)\"| phan_loai\n",
            "    phan_loai -->|\"Chuyển xử lý<br/><i>Chuyên viên tiếp nhận phản ánh, kiến nghị</i><br/>⏱ thời hạn 15 ngày làm việc tính từ đây\"| xu_ly\n",
            "    outcome_transferred((\"Chuyển cơ quan có thẩm quyền\"))\n",
        ] {
            assert!(mermaid.contains(expected), "{expected} in {mermaid}");
        }
        let dot = render_graph(&procedure, GraphFormat::Dot);
        for expected in [
            "digraph \"PAKN.1\" {",
            "    received -> phan_loai [label=\"⏱ Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc (2 ngày làm việc kể từ khi nộp)\\n",
            "(Chuyên viên tiếp nhận phản ánh, kiến nghị)\\n⏱ thời hạn 15 ngày làm việc tính từ đây\"];",
            "outcome_transferred [label=\"Chuyển cơ quan có thẩm quyền\", shape=doublecircle];",
        ] {
            assert!(dot.contains(expected), "{expected} in {dot}");
        }
        // Without notes, the receipt's arrow is plain.
        let plain = render_graph(&birth(), GraphFormat::Mermaid);
        assert!(plain.contains("    received --> tiep_nhan\n"), "{plain}");
        assert!(render_graph(&birth(), GraphFormat::Dot).contains("    received -> tiep_nhan;\n"));
    }

    #[test]
    fn svg_text_escapes_markup() {
        assert_eq!(svg_text("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
