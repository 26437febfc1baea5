//! The checks of the clock's second edition: caps that allow some time, windows that name real
//! commands and anchors, and internal processes whose allotments fit the legal limit.

use std::collections::HashSet;

use super::super::model::{
    AfterWindow, OFFICE_HOURS_PER_DAY, ProcedureDefinition, TimeLimit, WINDOW_ANCHORS,
};
use super::{Check, did_you_mean};
use crate::messages::DesignProblem;

impl Check<'_> {
    /// The clock's extension and apology caps must allow some time.
    pub(super) fn clock(&mut self) {
        let clock = &self.definition.clock;
        let path = self.root.key("clock");
        if let Some(extension) = &clock.extension
            && extension.up_to.office_hours() == 0
        {
            self.problem(
                path.key("extension").key("up_to"),
                DesignProblem::ExtensionAllowsNoTime,
            );
        }
        if clock
            .apology_up_to
            .is_some_and(|cap| cap.office_hours() == 0)
        {
            self.problem(
                path.key("apology_up_to"),
                DesignProblem::ApologyAllowsNoTime,
            );
        }
    }

    /// Windows name commands that exist, count from an anchor that comes before them, and never
    /// refuse a command the dossier cannot do without.
    pub(super) fn windows(&mut self) {
        let definition = self.definition;
        self.unique_ids(
            "windows",
            definition.windows.iter().map(|window| window.id.as_str()),
        );
        let built_in: Vec<&str> = crate::case::BUILT_IN.iter().map(|b| b.name).collect();
        let action_ids: Vec<&str> = definition.actions.iter().map(|a| a.id.as_str()).collect();
        for (position, window) in definition.windows.iter().enumerate() {
            let path = self.root.key("windows").index(position);
            if window.name.trim().is_empty() {
                self.problem(
                    path.key("name"),
                    DesignProblem::WindowUnnamed {
                        window: window.id.clone(),
                    },
                );
            }
            if window.commands.is_empty() {
                self.problem(
                    path.key("commands"),
                    DesignProblem::WindowForNothing {
                        window: window.id.clone(),
                    },
                );
            }
            let anchors: Vec<&str> = WINDOW_ANCHORS
                .iter()
                .copied()
                .chain(action_ids.iter().copied())
                .collect();
            if !anchors.contains(&window.from.as_str()) {
                self.problem(
                    path.key("from"),
                    DesignProblem::WindowFromUnknown {
                        window: window.id.clone(),
                        from: window.from.clone(),
                        close: did_you_mean(&window.from, anchors.iter().copied())
                            .map(str::to_owned),
                        anchors: anchors.iter().map(|anchor| (*anchor).to_owned()).collect(),
                    },
                );
            }
            for (command_position, command) in window.commands.iter().enumerate() {
                let command_path = path.key("commands").index(command_position);
                let is_action = action_ids.contains(&command.as_str());
                if !is_action && !built_in.contains(&command.as_str()) {
                    let known: Vec<&str> =
                        built_in.iter().chain(action_ids.iter()).copied().collect();
                    self.problem(
                        command_path,
                        DesignProblem::WindowForUnknown {
                            window: window.id.clone(),
                            command: command.clone(),
                            close: did_you_mean(command, known.iter().copied()).map(str::to_owned),
                            built_in: built_in.iter().map(|name| (*name).to_owned()).collect(),
                        },
                    );
                    continue;
                }
                let before_receipt = matches!(command.as_str(), "receive" | "refuse_intake");
                if before_receipt && window.from != "submitted" {
                    self.problem(
                        command_path.clone(),
                        DesignProblem::WindowAfterCommand {
                            window: window.id.clone(),
                            from: window.from.clone(),
                            command: command.clone(),
                        },
                    );
                }
                let decides = is_action
                    && definition
                        .actions
                        .iter()
                        .any(|action| &action.id == command && action.outcome.is_some());
                let indispensable = decides
                    || matches!(
                        command.as_str(),
                        "receive" | "refuse_intake" | "return_result"
                    );
                if indispensable && window.after == AfterWindow::Refused {
                    self.problem(
                        command_path,
                        DesignProblem::WindowRefusesDuty {
                            window: window.id.clone(),
                            command: command.clone(),
                        },
                    );
                }
            }
        }
    }

    /// Every path from the start step to a decision, each loop taken once, with every step
    /// using its whole allotment, must fit the legal time limit of every channel; otherwise the
    /// approved internal process itself makes dossiers late.
    pub(super) fn allotments_fit(&mut self) {
        let definition = self.definition;
        let paths = decision_paths(definition);
        let mut reported = HashSet::new();
        for (position, channel) in definition.channels.iter().enumerate() {
            let worst = paths
                .iter()
                .map(|path| {
                    let limit = path.time_limit.unwrap_or(channel.time_limit);
                    (path, limit, limit.office_hours().max(OFFICE_HOURS_PER_DAY))
                })
                .filter(|(path, _, limit_hours)| path.hours > *limit_hours)
                .max_by_key(|(path, _, limit_hours)| path.hours - limit_hours);
            if let Some((path, limit, _)) = worst
                && reported.insert((path.steps.clone(), limit.office_hours()))
            {
                self.problem(
                    self.root.key("channels").index(position).key("time_limit"),
                    DesignProblem::AllotmentsExceedLimit {
                        channel: channel.channel,
                        steps: path.steps.iter().map(|step| (*step).to_owned()).collect(),
                        hours: path.hours,
                        limit,
                    },
                );
            }
        }
    }
}

/// One way from the start step to a decision.
struct DecisionPath<'d> {
    steps: Vec<&'d str>,
    hours: u32,
    /// The limit the path's last `sets_time_limit` action put in force.
    time_limit: Option<TimeLimit>,
}

/// Paths through the graph visiting each step at most once (a loop is taken once), in the
/// file's action order; at most 10 000, which no real procedure comes near.
fn decision_paths(definition: &ProcedureDefinition) -> Vec<DecisionPath<'_>> {
    fn walk<'d>(
        definition: &'d ProcedureDefinition,
        at: &'d str,
        mut path: DecisionPath<'d>,
        paths: &mut Vec<DecisionPath<'d>>,
    ) {
        let Some(step) = definition.steps.iter().find(|step| step.id == at) else {
            return;
        };
        path.steps.push(&step.id);
        path.hours = path.hours.saturating_add(step.allotted.office_hours());
        for action in definition.actions.iter().filter(|action| action.from == at) {
            if paths.len() >= 10_000 {
                return;
            }
            let time_limit = action
                .starts_time_limit
                .or(action.sets_time_limit)
                .or(path.time_limit);
            // A limit started afresh counts only the steps after its action.
            let hours = if action.starts_time_limit.is_some() {
                0
            } else {
                path.hours
            };
            let branch = || DecisionPath {
                steps: path.steps.clone(),
                hours,
                time_limit,
            };
            match &action.to {
                None if action.outcome.is_some() => paths.push(branch()),
                Some(to) if !path.steps.contains(&to.as_str()) => {
                    walk(definition, to, branch(), paths);
                }
                _ => {}
            }
        }
    }
    let mut paths = Vec::new();
    let empty = DecisionPath {
        steps: Vec::new(),
        hours: 0,
        time_limit: None,
    };
    walk(definition, &definition.start, empty, &mut paths);
    paths
}
