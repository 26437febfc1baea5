//! "If filed on 24 January, when is it due?" — every path through a procedure from receipt to
//! each outcome, with the appointment and each step's due time, assuming each step uses its whole
//! allotment. A loop (an action back to a step the path already visited) is followed once: a path
//! visits a step at most twice.

use chrono::{DateTime, FixedOffset};

use super::Procedure;
use super::model::{ChannelKind, Outcome, TimeLimit};
use crate::clock::{Calendars, ClockError};

/// One stay at a step on a simulated path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedStep {
    /// The step id.
    pub step: String,
    /// Its name.
    pub name: String,
    /// When the dossier arrives.
    pub entered_at: DateTime<FixedOffset>,
    /// When the step's allotment ends.
    pub due_at: DateTime<FixedOffset>,
}

/// One path from receipt to an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedPath {
    /// The actions taken, in order.
    pub actions: Vec<String>,
    /// The actions on this path that went back to a step already visited (each taken once).
    pub loops: Vec<String>,
    /// The steps visited.
    pub steps: Vec<SimulatedStep>,
    /// How it ends.
    pub outcome: Outcome,
    /// The legal time limit in force at the end (an action may set a longer one).
    pub time_limit: TimeLimit,
    /// The steps' allotments added up, in office hours.
    pub allotted_hours: u32,
    /// The appointment for the result.
    pub appointment: DateTime<FixedOffset>,
    /// The procedure's windows this path opens, with when each closes (submission taken as the
    /// moment of receipt).
    pub windows: Vec<SimulatedWindow>,
}

/// A window opened on a simulated path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedWindow {
    /// The window id.
    pub window: String,
    /// Its name.
    pub name: String,
    /// When it closes.
    pub closes_at: DateTime<FixedOffset>,
}

impl SimulatedPath {
    /// When the last step's allotment ends.
    pub fn process_ends(&self) -> Option<DateTime<FixedOffset>> {
        self.steps.last().map(|step| step.due_at)
    }

    /// The internal process, with every step using its whole allotment, ends by the appointment.
    pub fn fits(&self) -> bool {
        self.process_ends()
            .is_none_or(|end| end <= self.appointment)
    }
}

/// At most this many paths are listed; no real procedure comes near it.
const MOST_PATHS: usize = 10_000;

/// Paths of a dossier received at `received_at` on `channel`, in the file's action order. A loop
/// back to an earlier step is followed once (a path visits each step at most twice), so every
/// path ends.
pub fn simulate(
    procedure: &Procedure,
    calendars: &Calendars,
    channel: ChannelKind,
    received_at: DateTime<FixedOffset>,
) -> Result<Vec<SimulatedPath>, SimulateError> {
    let definition = procedure.definition();
    let entry = procedure
        .channel(channel)
        .ok_or_else(|| SimulateError::NoChannel(channel.as_str().to_owned()))?;
    let mut walk = Walk {
        procedure,
        calendars,
        policy: definition.clock.after_cutoff,
        paths: Vec::new(),
        back_actions: back_actions(procedure),
    };
    walk.visit(
        &definition.start,
        received_at,
        Trail {
            actions: Vec::new(),
            loops: Vec::new(),
            steps: Vec::new(),
            time_limit: entry.time_limit,
            clock_from: received_at,
            allotted_hours: 0,
            windows: Vec::new(),
        },
    )?;
    // The ordinary paths first, then those that loop, each group in the file's action order.
    walk.paths.sort_by_key(|path| path.loops.len());
    Ok(walk.paths)
}

struct Walk<'a> {
    procedure: &'a Procedure,
    calendars: &'a Calendars,
    policy: super::model::AfterCutoff,
    paths: Vec<SimulatedPath>,
    /// The actions that close a loop: back to a step on the way to them from the start.
    back_actions: std::collections::HashSet<&'a str>,
}

impl Walk<'_> {
    /// Opens the windows counted from `anchor`, reached at `at`.
    fn open_windows(
        &self,
        trail: &mut Trail,
        anchor: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<(), SimulateError> {
        for window in &self.procedure.definition().windows {
            if window.from == anchor {
                trail.windows.push(SimulatedWindow {
                    window: window.id.clone(),
                    name: window.name.clone(),
                    closes_at: self.calendars.step_due(at, window.within)?,
                });
            }
        }
        Ok(())
    }
}

/// The actions that go back to a step on the way to them, found by a depth-first walk from the
/// start in the file's order (the back edges of the process graph).
fn back_actions(procedure: &Procedure) -> std::collections::HashSet<&str> {
    fn walk<'p>(
        procedure: &'p Procedure,
        at: &'p str,
        on_the_way: &mut Vec<&'p str>,
        done: &mut std::collections::HashSet<&'p str>,
        back: &mut std::collections::HashSet<&'p str>,
    ) {
        on_the_way.push(at);
        for action in procedure.actions_from(at) {
            let Some(to) = action.to.as_deref() else {
                continue;
            };
            if on_the_way.contains(&to) {
                back.insert(action.id.as_str());
            } else if done.insert(to) {
                walk(procedure, to, on_the_way, done, back);
            }
        }
        on_the_way.pop();
    }
    let start = procedure.definition().start.as_str();
    let mut back = std::collections::HashSet::new();
    let mut done = std::collections::HashSet::from([start]);
    walk(procedure, start, &mut Vec::new(), &mut done, &mut back);
    back
}

/// A path so far.
#[derive(Clone)]
struct Trail {
    actions: Vec<String>,
    loops: Vec<String>,
    steps: Vec<SimulatedStep>,
    time_limit: TimeLimit,
    /// When the legal clock last started: receipt, or an action's `starts_time_limit`.
    clock_from: DateTime<FixedOffset>,
    allotted_hours: u32,
    windows: Vec<SimulatedWindow>,
}

impl Trail {
    fn visits(&self, step: &str) -> usize {
        self.steps.iter().filter(|visit| visit.step == step).count()
    }
}

impl Walk<'_> {
    /// Depth-first in the file's action order; each step is visited at most twice, so the depth
    /// is bounded by twice the number of steps.
    fn visit(
        &mut self,
        at: &str,
        entered_at: DateTime<FixedOffset>,
        mut trail: Trail,
    ) -> Result<(), SimulateError> {
        let Some(step) = self.procedure.step(at) else {
            return Ok(());
        };
        let due_at = self.calendars.handover_due(entered_at, step.allotted)?;
        trail.steps.push(SimulatedStep {
            step: step.id.clone(),
            name: step.name.clone(),
            entered_at,
            due_at,
        });
        trail.allotted_hours = trail
            .allotted_hours
            .saturating_add(step.allotted.office_hours());
        if trail.steps.len() == 1 {
            for anchor in ["submitted", "received"] {
                self.open_windows(&mut trail, anchor, entered_at)?;
            }
        }
        let procedure = self.procedure;
        for action in procedure.actions_from(&step.id) {
            if self.paths.len() >= MOST_PATHS {
                return Ok(());
            }
            let mut next = trail.clone();
            next.actions.push(action.id.clone());
            next.time_limit = action.sets_time_limit.unwrap_or(trail.time_limit);
            if let Some(limit) = action.starts_time_limit {
                next.time_limit = limit;
                next.clock_from = due_at;
            }
            self.open_windows(&mut next, &action.id, due_at)?;
            match (&action.to, action.outcome) {
                (_, Some(outcome)) => {
                    self.open_windows(&mut next, "decided", due_at)?;
                    let appointment =
                        self.calendars
                            .due(next.clock_from, next.time_limit, self.policy)?;
                    self.paths.push(SimulatedPath {
                        actions: next.actions,
                        loops: next.loops,
                        steps: next.steps,
                        outcome,
                        time_limit: next.time_limit,
                        allotted_hours: next.allotted_hours,
                        appointment,
                        windows: next.windows,
                    });
                }
                (Some(to), None) if trail.visits(to) < 2 => {
                    if self.back_actions.contains(action.id.as_str()) {
                        if trail.loops.contains(&action.id) {
                            continue;
                        }
                        next.loops.push(action.id.clone());
                    }
                    self.visit(to, due_at, next)?;
                }
                (Some(_), None) => {}
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulateError {
    /// The procedure does not offer the channel.
    #[error("the procedure has no {0} channel")]
    NoChannel(String),
    /// A deadline fell in a year without a calendar.
    #[error(transparent)]
    Clock(#[from] ClockError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendars() -> Calendars {
        Calendars::load(&[(
            "2025.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2025.toml").to_owned(),
        )])
        .unwrap()
    }

    fn judicial_record() -> Procedure {
        Procedure::load(
            "lltp.toml",
            include_str!("../../../procedures/3.000333-cap-phieu-ly-lich-tu-phap.toml"),
        )
        .unwrap()
    }

    /// Actions, outcome and appointment of the first `count` paths.
    fn summary(paths: &[SimulatedPath], count: usize) -> Vec<(String, Outcome, String)> {
        paths
            .iter()
            .take(count)
            .map(|path| {
                (
                    path.actions.join(" "),
                    path.outcome,
                    path.appointment.to_rfc3339(),
                )
            })
            .collect()
    }

    #[test]
    fn a_judicial_record_in_calendar_days_cannot_fit_its_process_over_tet() {
        let received = DateTime::parse_from_rfc3339("2025-01-24T10:00:00+07:00").unwrap();
        let paths = simulate(
            &judicial_record(),
            &calendars(),
            ChannelKind::Online,
            received,
        )
        .unwrap();
        // 10 days from Saturday 25/1 end on Monday 3/2; 15 days end on Saturday 8/2, a day off,
        // so on Monday 10/2 (Civil Code 2015 arts. 147–148).
        assert_eq!(
            summary(&paths, 3),
            vec![
                (
                    "chuyen_tra_cuu can_xac_minh trinh_ky_sau_xac_minh ky_phieu phat_hanh"
                        .to_owned(),
                    Outcome::Approved,
                    "2025-02-10T17:00:00+07:00".to_owned()
                ),
                (
                    "chuyen_tra_cuu trinh_ky ky_phieu phat_hanh".to_owned(),
                    Outcome::Approved,
                    "2025-02-03T17:00:00+07:00".to_owned()
                ),
                (
                    "chuyen_tra_cuu tu_choi".to_owned(),
                    Outcome::Refused,
                    "2025-02-03T17:00:00+07:00".to_owned()
                ),
            ]
        );
        // Receipt takes one working day: Friday 24/1 → Monday 3/2 after Tết, the very day the
        // ten calendar days end, so the designer sees no path fits.
        assert_eq!(
            paths[1].steps[0].due_at.to_rfc3339(),
            "2025-02-03T17:00:00+07:00"
        );
        assert!(paths[..2].iter().all(|path| !path.fits()));
    }

    #[test]
    fn a_judicial_record_filed_in_march_has_two_approval_paths_and_a_refusal() {
        let received = DateTime::parse_from_rfc3339("2025-03-10T10:00:00+07:00").unwrap();
        let paths = simulate(
            &judicial_record(),
            &calendars(),
            ChannelKind::Online,
            received,
        )
        .unwrap();
        // From Tuesday 11/3: ten days end on Thursday 20/3, fifteen on Tuesday 25/3.
        assert_eq!(
            summary(&paths, 3),
            vec![
                (
                    "chuyen_tra_cuu can_xac_minh trinh_ky_sau_xac_minh ky_phieu phat_hanh"
                        .to_owned(),
                    Outcome::Approved,
                    "2025-03-25T17:00:00+07:00".to_owned()
                ),
                (
                    "chuyen_tra_cuu trinh_ky ky_phieu phat_hanh".to_owned(),
                    Outcome::Approved,
                    "2025-03-20T17:00:00+07:00".to_owned()
                ),
                (
                    "chuyen_tra_cuu tu_choi".to_owned(),
                    Outcome::Refused,
                    "2025-03-20T17:00:00+07:00".to_owned()
                ),
            ]
        );
        assert!(
            paths[..3].iter().all(SimulatedPath::fits),
            "the allotments of the ordinary paths fit the legal limits"
        );
        // 1 + 4 + 1 + 1 working days fit the seven working days of ten calendar days.
        assert_eq!(paths[1].allotted_hours, 7 * 8, "{:?}", paths[1]);
        // Then each loop back to verification, taken once, with the step visited twice.
        let looping: Vec<String> = paths[3..]
            .iter()
            .map(|path| path.actions.join(" "))
            .collect();
        assert_eq!(
            looping,
            [
                "chuyen_tra_cuu can_xac_minh trinh_ky_sau_xac_minh tra_lai can_xac_minh trinh_ky_sau_xac_minh ky_phieu phat_hanh",
                "chuyen_tra_cuu can_xac_minh trinh_ky_sau_xac_minh tra_lai trinh_ky ky_phieu phat_hanh",
                "chuyen_tra_cuu can_xac_minh trinh_ky_sau_xac_minh tra_lai tu_choi",
                "chuyen_tra_cuu trinh_ky tra_lai can_xac_minh trinh_ky_sau_xac_minh ky_phieu phat_hanh",
                "chuyen_tra_cuu trinh_ky tra_lai trinh_ky ky_phieu phat_hanh",
                "chuyen_tra_cuu trinh_ky tra_lai tu_choi",
            ]
        );
        assert!(paths[3..].iter().all(|path| path.loops == ["tra_lai"]));
        assert_eq!(
            paths[3]
                .steps
                .iter()
                .filter(|step| step.step == "tra_cuu")
                .count(),
            2
        );
    }
}
