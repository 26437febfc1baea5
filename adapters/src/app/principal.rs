//! Who is asking: a citizen signed in through the national SSO, or a staff member (or demo
//! citizen) by a hoso token or a page session. Both translators find it; the use cases decide.

use hoso_engine::case::Actor;

use crate::access::{User, UserKind};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A citizen, by personal identification number.
    Citizen {
        /// Số định danh cá nhân.
        citizen_id: String,
        /// The tax code of the organisation the sign-in vouched this account acts for.
        organisation: Option<String>,
    },
    /// A staff member (or a demo citizen with a local token).
    Staff(User),
}

impl Principal {
    /// The actor this caller is on a dossier, if they may act at all.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Self::Citizen { citizen_id, .. } => Some(Actor::citizen(citizen_id.clone())),
            Self::Staff(user) => user.actor(),
        }
    }

    /// A stable key for idempotency records.
    pub fn key(&self) -> String {
        match self {
            Self::Citizen { citizen_id, .. } => format!("citizen:{citizen_id}"),
            Self::Staff(user) => format!("user:{}", user.id),
        }
    }

    /// The citizen's identification number, for citizens (and demo citizens).
    pub fn citizen_id(&self) -> Option<&str> {
        match self {
            Self::Citizen { citizen_id, .. } => Some(citizen_id),
            Self::Staff(user) if user.kind == UserKind::Citizen => user.citizen_id.as_deref(),
            Self::Staff(_) => None,
        }
    }

    /// The organisation (tax code) this account acts for, as the sign-in vouched.
    pub fn organisation(&self) -> Option<&str> {
        match self {
            Self::Citizen { organisation, .. } => organisation.as_deref(),
            Self::Staff(_) => None,
        }
    }

    /// This caller follows the dossier as the applicant, their representative, or an account
    /// of the organisation it is for.
    pub fn follows(&self, case: &hoso_engine::case::Case) -> bool {
        self.citizen_id()
            .is_some_and(|citizen_id| case.is_party(citizen_id))
            || self
                .organisation()
                .is_some_and(|organisation| case.organisation() == Some(organisation))
    }

    /// The kind of staff user, if staff (demo citizens count as citizens).
    pub fn staff_kind(&self) -> Option<UserKind> {
        match self {
            Self::Staff(user) if user.kind != UserKind::Citizen => Some(user.kind),
            _ => None,
        }
    }
}
