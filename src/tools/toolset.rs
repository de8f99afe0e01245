//! Toolsets: the groups an MCP server lists (`mcp --toolsets issues,events`), so an assistant sees
//! only the tools its work needs. The command line's `tool NAME` reaches every tool whatever the set.

use std::fmt;

/// A group of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolset {
    /// Find, read and triage issues.
    Issues,
    /// An issue's events and one event in detail.
    Events,
    /// Releases, deploys and release health.
    Releases,
    /// Organizations, projects, teams, event counts, the token's user.
    Projects,
    /// Discover queries over errors, spans and logs; traces.
    Performance,
    /// Alert rules, cron monitors, dashboards, replays, user feedback.
    Monitoring,
    /// Create and change projects, teams and DSNs.
    Admin,
    /// Seer's root-cause analysis.
    Seer,
}

impl Toolset {
    /// Every toolset, in listing order.
    pub const ALL: [Self; 8] = [
        Self::Issues,
        Self::Events,
        Self::Releases,
        Self::Projects,
        Self::Performance,
        Self::Monitoring,
        Self::Admin,
        Self::Seer,
    ];

    /// What an everyday assistant needs: triage (issues and their events), the organization's
    /// structure, and releases (this server's own strength). Every tool of the contract's first
    /// round is in here, so clients configured before toolsets existed see what they saw.
    pub const DEFAULT: [Self; 4] = [Self::Issues, Self::Events, Self::Releases, Self::Projects];

    /// The name `--toolsets` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Issues => "issues",
            Self::Events => "events",
            Self::Releases => "releases",
            Self::Projects => "projects",
            Self::Performance => "performance",
            Self::Monitoring => "monitoring",
            Self::Admin => "admin",
            Self::Seer => "seer",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|set| set.name() == name)
    }
}

impl fmt::Display for Toolset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The toolsets an MCP server lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolsets(Vec<Toolset>);

impl Toolsets {
    /// Every toolset (`all`).
    pub fn all() -> Self {
        Self(Toolset::ALL.to_vec())
    }

    /// Whether a toolset is enabled.
    pub fn contains(&self, set: Toolset) -> bool {
        self.0.contains(&set)
    }

    /// The enabled toolsets' names, comma separated.
    pub fn names(&self) -> String {
        self.0
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads `issues,events`, `all`, or a mix (any case, spaces allowed); the error lists the names.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut sets = Vec::new();
        for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let name = raw.to_ascii_lowercase();
            if name == "all" {
                return Ok(Self::all());
            }
            let set = Toolset::parse(&name).ok_or_else(|| {
                format!(
                    "unknown toolset {raw:?}: use a comma-separated list of {}, or all",
                    Toolset::ALL.map(Toolset::name).join(", ")
                )
            })?;
            if !sets.contains(&set) {
                sets.push(set);
            }
        }
        if sets.is_empty() {
            return Err(format!(
                "no toolset given: use a comma-separated list of {}, or all",
                Toolset::ALL.map(Toolset::name).join(", ")
            ));
        }
        sets.sort_unstable();
        Ok(Self(sets))
    }
}

impl Default for Toolsets {
    fn default() -> Self {
        Self(Toolset::DEFAULT.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_in_any_case_and_all_means_every_set() {
        let sets = Toolsets::parse(" Seer, issues ,,issues").unwrap();
        assert_eq!(sets.names(), "issues,seer");
        assert_eq!(Toolsets::parse("issues,all").unwrap(), Toolsets::all());
        assert_eq!(
            Toolsets::default().names(),
            "issues,events,releases,projects"
        );
    }

    #[test]
    fn unknown_or_empty_lists_name_the_choices() {
        let err = Toolsets::parse("issues,alerts").unwrap_err();
        assert!(
            err.contains("\"alerts\"") && err.contains("monitoring"),
            "{err}"
        );
        assert!(Toolsets::parse(" , ").unwrap_err().contains("no toolset"));
    }
}
