//! Tools: projects.

use super::Tool;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    Vec::new()
}
