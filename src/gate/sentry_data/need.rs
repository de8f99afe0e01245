//! What each kind of request to Sentry needs (a token scope, an endpoint an old server may lack),
//! for classifying its failures.

use crate::gate::observations::ExposureKind;

/// What a kind of request needs, for classifying its failures.
#[derive(Debug, Clone, Copy)]
pub(super) struct Need {
    /// What the request reads, as a failure names it.
    pub(super) what: &'static str,
    /// The token scope it needs.
    pub(super) scope: &'static str,
    /// An old server may lack it; its absence skips a rule instead of ending the run.
    pub(super) optional: bool,
}

/// An issue search.
pub(super) const ISSUES: Need = Need {
    what: "issues",
    scope: "event:read",
    optional: false,
};
/// A count of error or transaction events.
pub(super) const EVENTS: Need = Need {
    what: "error and transaction counts",
    scope: "org:read",
    optional: true,
};
const SESSIONS: Need = Need {
    what: "sessions",
    scope: "org:read",
    optional: true,
};
/// A project lookup.
pub(super) const PROJECTS: Need = Need {
    what: "projects",
    scope: "project:read",
    optional: false,
};

/// What counting an exposure kind needs.
pub(super) fn need_of(kind: ExposureKind) -> Need {
    match kind {
        ExposureKind::Sessions => SESSIONS,
        ExposureKind::Transactions => EVENTS,
    }
}
