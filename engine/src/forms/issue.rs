//! Forms kept as issued (Circular 01/2018 art. 10.1: forms are recorded in the system and
//! signed). A form is built once, when the event it records happens, from the dossier as that
//! event leaves it; its content and SHA-256 go into a `FormIssued` event of the same command, so
//! the hash chain and the signed checkpoints cover it. Reading a form serves that content and
//! checks its hash; a later change (a new appointment) issues a new copy naming the old one's
//! hash. Dossiers from before forms were kept get theirs rebuilt as of the issuing event.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::official::{FormError, OfficialForm, form_of, official_form};
use crate::case::{
    Actor, Case, Context, Directory, Event, EventKind, NewEvent, Rejection, apply, evolve, seal,
    write_canonical,
};
use crate::clock::Calendars;
use crate::procedure::Procedure;

/// The SHA-256 of a form's canonical JSON: its content address.
pub fn form_hash(form: &OfficialForm) -> String {
    let value = serde_json::to_value(form).unwrap_or_default();
    let mut bytes = Vec::new();
    write_canonical(&value, &mut bytes);
    hex::encode(Sha256::digest(&bytes))
}

/// A printed title in sentence case, for the timeline: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".
pub fn title_case(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The key a form is kept under: its number, and "02-N" for the N-th supplement request.
fn key_of(number: &str, after: &Case) -> String {
    if number == "02" {
        format!("02-{}", after.supplement_requests)
    } else {
        number.to_owned()
    }
}

/// The `FormIssued` events that the events `kinds`, decided for `actor` at `now`, call for.
pub(crate) fn issue(
    context: &Context<'_>,
    case: &Case,
    actor: &Actor,
    kinds: &[EventKind],
    now: DateTime<Utc>,
) -> Result<Vec<EventKind>, Rejection> {
    let mut numbers: Vec<&'static str> = kinds.iter().filter_map(form_of).collect();
    numbers.dedup();
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let new: Vec<NewEvent> = kinds
        .iter()
        .cloned()
        .map(|kind| NewEvent {
            at: now,
            actor: actor.clone(),
            kind,
            command_id: String::new(),
        })
        .collect();
    let sealed = seal(&case.code, case.version, &case.last_hash, new);
    let mut after = case.clone();
    for event in &sealed {
        after = evolve(Some(after), event).map_err(|error| not_made("", &error))?;
    }
    numbers
        .into_iter()
        .map(|number| {
            let form = official_form(
                number,
                &after,
                &sealed,
                context.procedure,
                context.calendars,
                context.directory,
            )
            .map_err(|error| not_made(number, &error))?;
            let key = key_of(number, &after);
            Ok(EventKind::FormIssued {
                sha256: form_hash(&form),
                replaces: case.forms.get(&key).cloned(),
                number: key,
                form: Box::new(form),
            })
        })
        .collect()
}

/// Form `number` (01–05, or 02-N) of a dossier as it was issued: the latest copy kept in its
/// events, its hash checked; for a dossier from before forms were kept, built from the dossier as
/// the issuing event left it, never from its state today.
pub fn issued_form(
    number: &str,
    case: &Case,
    events: &[Event],
    procedure: &Procedure,
    calendars: &Calendars,
    directory: &Directory,
) -> Result<OfficialForm, FormError> {
    let kept = |wanted: &dyn Fn(&str) -> bool| {
        events.iter().rev().find_map(|event| match &event.kind {
            EventKind::FormIssued {
                number: kept,
                sha256,
                form,
                ..
            } if wanted(kept) => Some((sha256, form)),
            _ => None,
        })
    };
    let found = if number == "02" {
        kept(&|kept: &str| kept.starts_with("02-"))
    } else {
        kept(&|kept: &str| kept == number)
    };
    if let Some((sha256, form)) = found {
        if &form_hash(form) != sha256 {
            return Err(FormError::Tampered {
                dossier: case.code.to_string(),
                form: number.to_owned(),
            });
        }
        return Ok(form.as_ref().clone());
    }
    // Before forms were kept: the state as the issuing event left it.
    let base = number.split('-').next().unwrap_or(number);
    let issuing: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, event)| form_of(&event.kind) == Some(base))
        .map(|(index, _)| index)
        .collect();
    let index = match number.split_once('-') {
        Some((_, nth)) => nth
            .parse::<usize>()
            .ok()
            .and_then(|nth| nth.checked_sub(1))
            .and_then(|nth| issuing.get(nth)),
        None => issuing.last(),
    };
    let Some(&index) = index else {
        return official_form(number, case, events, procedure, calendars, directory);
    };
    let then = &events[..=index];
    let (as_issued, _) = apply(None, then).map_err(|error| FormError::NotApplicable {
        dossier: case.code.to_string(),
        form: number.to_owned(),
        why: super::Absence::Unreplayable(error.to_string()),
    })?;
    official_form(number, &as_issued, then, procedure, calendars, directory)
}

/// A form that cannot be made from the record: a fault in hoso, said to people without its internals.
fn not_made(number: &str, error: &dyn std::fmt::Display) -> Rejection {
    Rejection::NotNow(
        crate::messages::Refusal::FormNotMade {
            form: number.to_owned(),
            why: error.to_string(),
        }
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::title_case;

    #[test]
    fn a_printed_title_reads_in_sentence_case_on_the_timeline() {
        assert_eq!(
            title_case("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        );
        assert_eq!(title_case(""), "");
    }
}
