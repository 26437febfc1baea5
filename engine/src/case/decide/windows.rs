//! The procedure's windows: commands that must come within some working time of an anchor
//! (submission, receipt, the decision, or an action). A window opens when its anchor happens; a
//! closed window refuses its commands, or lets them through late, as the procedure says.

use chrono::{DateTime, Utc};

use crate::case::event::EventKind;
use crate::case::model::{Case, OpenWindow};
use crate::clock::vietnam;
use crate::messages::Refusal;
use crate::procedure::AfterWindow;

use super::{Context, Rejection};

/// Refuses `command` on `case` when a refusing window for it has closed unmet.
pub(super) fn enforce(
    case: &Case,
    command: &str,
    now: DateTime<Utc>,
    context: &Context<'_>,
) -> Result<(), Rejection> {
    let closed = case.windows.iter().find(|window| {
        window.refuses
            && window.met_at.is_none()
            && window.closes_at < now
            && window.commands.iter().any(|listed| listed == command)
    });
    match closed {
        None => Ok(()),
        Some(window) => {
            let name = context
                .procedure
                .window(&window.id)
                .map_or(window.id.as_str(), |declared| declared.name.as_str());
            Err(Rejection::NotNow(
                Refusal::WindowClosed {
                    command: command.to_owned(),
                    window: name.to_owned(),
                    closed_at: window
                        .closes_at
                        .with_timezone(&vietnam())
                        .format("%H:%M %d/%m/%Y")
                        .to_string(),
                }
                .into(),
            ))
        }
    }
}

/// Whether `event` is the anchor `from` names.
fn anchors(from: &str, event: &EventKind) -> bool {
    match (from, event) {
        ("submitted", EventKind::Submitted { .. }) | ("received", EventKind::Received { .. }) => {
            true
        }
        ("decided", EventKind::ActionTaken { outcome, .. }) => outcome.is_some(),
        (action_id, EventKind::ActionTaken { action, .. }) => action == action_id,
        _ => false,
    }
}

/// The windows that `events`, decided at `now`, open; `None` when they open none.
pub(super) fn opened(
    context: &Context<'_>,
    events: &[EventKind],
    now: DateTime<Utc>,
) -> Result<Option<EventKind>, Rejection> {
    let mut windows = Vec::new();
    for window in &context.procedure.definition().windows {
        if events.iter().any(|event| anchors(&window.from, event)) {
            let closes_at = context
                .calendars
                .step_due(now.with_timezone(&vietnam()), window.within)?
                .with_timezone(&Utc);
            windows.push(OpenWindow {
                id: window.id.clone(),
                commands: window.commands.clone(),
                closes_at,
                refuses: window.after == AfterWindow::Refused,
                met_at: None,
            });
        }
    }
    Ok((!windows.is_empty()).then_some(EventKind::WindowsOpened { windows }))
}
