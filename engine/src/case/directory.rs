//! Which real unit handles each kind of unit a procedure names, for each receiving unit.
//!
//! A procedure says "the civil-status officer" (`tu_phap_ho_tich`); an agency says which of its
//! units that is. A receiving unit that routes nothing handles every step itself — the common
//! case of a commune whose one-stop desk and officers share one unit code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::code::UnitId;

/// Routes from (receiving unit, unit kind) to the real unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    routes: BTreeMap<UnitId, BTreeMap<String, UnitId>>,
}

impl Directory {
    /// A directory where every receiving unit handles every step itself.
    pub fn single_units() -> Self {
        Self::default()
    }

    /// Routes `kind` for dossiers received at `receiving` to `unit`.
    pub fn route(&mut self, receiving: UnitId, kind: impl Into<String>, unit: UnitId) {
        self.routes
            .entry(receiving)
            .or_default()
            .insert(kind.into(), unit);
    }

    /// The real unit that handles `kind` for dossiers received at `receiving`.
    pub fn resolve(&self, receiving: &UnitId, kind: &str) -> UnitId {
        self.routes
            .get(receiving)
            .and_then(|routes| routes.get(kind))
            .cloned()
            .unwrap_or_else(|| receiving.clone())
    }
}
