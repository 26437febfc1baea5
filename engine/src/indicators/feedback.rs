//! Decision 766's feedback indicators 5.1–5.3, over citizen feedback (PAKN) only: the intake
//! decision in its window, every duty in time, and satisfaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DossierFacts, Period, Satisfaction, Timeliness, percent, timeliness};

/// One window of a dossier, as the feedback indicators judge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowFact {
    /// The window is for the intake decision (receive or refuse at intake).
    pub intake: bool,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// When one of its commands was taken.
    pub met_at: Option<DateTime<Utc>>,
}

impl WindowFact {
    /// The facts of a dossier's window: an intake window is one for receiving or refusing.
    pub(super) fn of(window: &crate::case::OpenWindow) -> Self {
        Self {
            intake: window
                .commands
                .iter()
                .any(|command| command == "receive" || command == "refuse_intake"),
            closes_at: window.closes_at,
            met_at: window.met_at,
        }
    }

    /// Late as of `judged_at`: met after it closed, or unmet once it has closed.
    pub(super) fn late_at(&self, judged_at: DateTime<Utc>) -> bool {
        match self.met_at {
            Some(met) if met <= judged_at => met > self.closes_at,
            _ => self.closes_at < judged_at,
        }
    }
}

/// The feedback indicators, which carry no points unless the settings give them some.
pub(super) const FEEDBACK_INDICATORS: [&str; 3] = ["5.1", "5.2", "5.3"];

/// 5.1, 5.2 and 5.3 over the feedback dossiers: (numerator, denominator, value) each.
pub(super) fn feedback_indicators(
    feedback: &[&DossierFacts],
    period: &Period,
) -> [(f64, f64, f64); 3] {
    let end = period.end();
    // 5.1: the intake decision, for feedback submitted in the period.
    let intake: Vec<&WindowFact> = feedback
        .iter()
        .filter(|facts| {
            !facts.withdrawn && facts.submitted_at.is_some_and(|at| period.contains(at))
        })
        .filter_map(|facts| facts.windows.iter().find(|window| window.intake))
        .filter(|window| window.met_at.is_some_and(|met| met < end) || window.closes_at < end)
        .collect();
    let intake_on_time = intake.iter().filter(|window| !window.late_at(end)).count() as u64;
    // 5.2: processing, judged as 2.1 judges dossiers, and every window in time.
    let mut judged = 0_u64;
    let mut processed_on_time = 0_u64;
    for facts in feedback {
        let Some(timeliness) = timeliness(facts, period) else {
            continue;
        };
        judged += 1;
        // Every duty counts: the intake decision, a supplement request, the publication.
        let windows_in_time = facts.windows.iter().all(|window| !window.late_at(end));
        if timeliness != Timeliness::Late && windows_in_time {
            processed_on_time += 1;
        }
    }
    // 5.3: (accepted − dissatisfied − late) ÷ accepted.
    let accepted: Vec<&&DossierFacts> = feedback
        .iter()
        .filter(|facts| facts.received_at.is_some_and(|at| period.contains(at)))
        .collect();
    let dissatisfied = accepted
        .iter()
        .filter(|facts| facts.rating == Some(Satisfaction::Dissatisfied))
        .count() as u64;
    let late = judged - processed_on_time;
    let total = accepted.len() as u64;
    let satisfied = total.saturating_sub(dissatisfied + late);
    [
        (
            intake_on_time as f64,
            intake.len() as f64,
            percent(intake_on_time, intake.len() as u64),
        ),
        (
            processed_on_time as f64,
            judged as f64,
            percent(processed_on_time, judged),
        ),
        (satisfied as f64, total as f64, percent(satisfied, total)),
    ]
}
