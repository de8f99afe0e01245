//! How a successful run ends: the exit codes beyond plain success (errors are always exit 2).

/// How a successful run ends, beyond plain success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit 0.
    Success,
    /// Exit 1: the deploy gate found a regression.
    GateFailed,
    /// Exit 3: the deploy gate could not decide and the policy left it so.
    Inconclusive,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::GateFailed => 1,
            Self::Inconclusive => 3,
        }
    }
}
