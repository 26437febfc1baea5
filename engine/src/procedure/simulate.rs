//! "If filed on 24 January, when is it due?" — every path through a procedure from receipt to
//! each outcome, with the appointment and each step's due time, assuming each step uses its whole
//! allotment.

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
    /// The steps visited.
    pub steps: Vec<SimulatedStep>,
    /// How it ends.
    pub outcome: Outcome,
    /// The legal time limit in force at the end (an action may set a longer one).
    pub time_limit: TimeLimit,
    /// The appointment for the result.
    pub appointment: DateTime<FixedOffset>,
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

/// Paths of a dossier received at `received_at` on `channel`. Loops (returning a dossier to an
/// earlier step) are followed once: a path visits each step at most once.
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
        received_at,
        policy: definition.clock.after_cutoff,
        paths: Vec::new(),
    };
    walk.visit(
        &definition.start,
        received_at,
        Vec::new(),
        Vec::new(),
        entry.time_limit,
    )?;
    Ok(walk.paths)
}

struct Walk<'a> {
    procedure: &'a Procedure,
    calendars: &'a Calendars,
    received_at: DateTime<FixedOffset>,
    policy: super::model::AfterCutoff,
    paths: Vec<SimulatedPath>,
}

impl Walk<'_> {
    /// Depth-first in the file's action order; the depth is bounded by the number of steps.
    fn visit(
        &mut self,
        at: &str,
        entered_at: DateTime<FixedOffset>,
        actions: Vec<String>,
        mut steps: Vec<SimulatedStep>,
        time_limit: TimeLimit,
    ) -> Result<(), SimulateError> {
        let Some(step) = self.procedure.step(at) else {
            return Ok(());
        };
        let due_at = self.calendars.step_due(entered_at, step.allotted)?;
        steps.push(SimulatedStep {
            step: step.id.clone(),
            name: step.name.clone(),
            entered_at,
            due_at,
        });
        let procedure = self.procedure;
        for action in procedure.actions_from(&step.id) {
            let mut taken = actions.clone();
            taken.push(action.id.clone());
            let time_limit = action.sets_time_limit.unwrap_or(time_limit);
            match (&action.to, action.outcome) {
                (_, Some(outcome)) => {
                    let appointment =
                        self.calendars
                            .due(self.received_at, time_limit, self.policy)?;
                    self.paths.push(SimulatedPath {
                        actions: taken,
                        steps: steps.clone(),
                        outcome,
                        time_limit,
                        appointment,
                    });
                }
                (Some(to), None) if !steps.iter().any(|visited| &visited.step == to) => {
                    self.visit(to, due_at, taken, steps.clone(), time_limit)?;
                }
                _ => {}
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

    #[test]
    fn a_judicial_record_filed_before_tet_has_two_approval_paths_and_a_refusal() {
        let procedure = Procedure::load(
            "lltp.toml",
            include_str!("../../../procedures/3.000333-cap-phieu-ly-lich-tu-phap.toml"),
        )
        .unwrap();
        let received = DateTime::parse_from_rfc3339("2025-01-24T10:00:00+07:00").unwrap();
        let paths = simulate(&procedure, &calendars(), ChannelKind::Online, received).unwrap();
        let summary: Vec<(Vec<&str>, Outcome, String)> = paths
            .iter()
            .map(|path| {
                (
                    path.actions.iter().map(String::as_str).collect(),
                    path.outcome,
                    path.appointment.to_rfc3339(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    vec![
                        "chuyen_tra_cuu",
                        "can_xac_minh",
                        "trinh_ky_sau_xac_minh",
                        "ky_phieu",
                        "phat_hanh"
                    ],
                    Outcome::Approved,
                    "2025-02-21T17:00:00+07:00".to_owned()
                ),
                (
                    vec!["chuyen_tra_cuu", "trinh_ky", "ky_phieu", "phat_hanh"],
                    Outcome::Approved,
                    "2025-02-14T17:00:00+07:00".to_owned()
                ),
                (
                    vec!["chuyen_tra_cuu", "tu_choi"],
                    Outcome::Refused,
                    "2025-02-14T17:00:00+07:00".to_owned()
                ),
            ]
        );
        // Receipt takes one working day: Friday 24/1 → Monday 3/2 after Tết.
        assert_eq!(
            paths[1].steps[0].due_at.to_rfc3339(),
            "2025-02-03T17:00:00+07:00"
        );
        assert!(
            paths.iter().all(SimulatedPath::fits),
            "the allotments fit the legal limits"
        );
    }
}
