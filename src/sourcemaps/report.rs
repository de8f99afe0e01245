//! What inject and upload say: text for people, one JSON document for scripts, and Markdown for
//! the CI job summary.

use super::bundle::FileType;
use super::inject::{Action, InjectReport};
use super::upload::{Processing, UploadReport};
use serde_json::{Value, json};
use std::fmt::Write;

impl InjectReport {
    fn count(&self, action: Action) -> usize {
        self.files.iter().filter(|f| f.action == action).count()
    }

    /// The report for people: counts, then one line per file.
    pub fn text(&self) -> String {
        let verb = if self.dry_run {
            "Would inject"
        } else {
            "Injected"
        };
        let mut out = format!(
            "{verb} debug IDs into {} of {} files: {} with their maps, {} at the end (no usable map); {} already had one",
            self.count(Action::Injected) + self.count(Action::InjectedAtEnd),
            self.files.len(),
            self.count(Action::Injected),
            self.count(Action::InjectedAtEnd),
            self.count(Action::AlreadyInjected) + self.count(Action::MapCompleted),
        );
        if self.count(Action::MapCompleted) > 0 {
            let _ = write!(
                out,
                " ({} of them had a map still without it, now completed)",
                self.count(Action::MapCompleted)
            );
        }
        out.push('\n');
        for file in &self.files {
            let mark = match file.action {
                Action::Injected => "+",
                Action::InjectedAtEnd => "~",
                Action::AlreadyInjected | Action::MapCompleted => "=",
            };
            let _ = write!(out, "  {mark} {} {}", file.path.display(), file.debug_id);
            if let Some(map) = &file.map {
                let _ = write!(out, " (map {map})");
            }
            if let Some(note) = &file.note {
                let _ = write!(out, ": {note}");
            }
            out.push('\n');
        }
        if self.dry_run {
            out.push_str("Dry run: nothing was written.\n");
        }
        out
    }

    /// The report as one JSON document.
    pub fn json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                json!({
                    "path": f.path.display().to_string(),
                    "debug_id": f.debug_id.to_string(),
                    "action": f.action.as_str(),
                    "map": f.map,
                    "note": f.note,
                })
            })
            .collect();
        json!({
            "dry_run": self.dry_run,
            "files_found": self.files.len(),
            "injected": self.count(Action::Injected),
            "injected_at_end": self.count(Action::InjectedAtEnd),
            "already_injected": self.count(Action::AlreadyInjected),
            "maps_completed": self.count(Action::MapCompleted),
            "files": files,
        })
    }
}

impl UploadReport {
    fn count(&self, kind: FileType) -> usize {
        self.files.iter().filter(|f| f.kind == kind).count()
    }

    fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    fn processing_text(&self) -> &'static str {
        match self.processing {
            Processing::Done => "processed",
            Processing::Pending => "accepted, still processing on the server (--no-wait)",
        }
    }

    /// The report for people: what went up, where, and what was left out.
    pub fn text(&self) -> String {
        let mut out = format!(
            "Uploaded {} files ({} minified sources, {} source maps; {}) as artifact bundle {} ({}, {} chunks, {} sent): {}\n",
            self.files.len(),
            self.count(FileType::MinifiedSource),
            self.count(FileType::SourceMap),
            human_bytes(self.bytes()),
            self.bundle_id,
            human_bytes(self.bundle_size),
            self.chunks,
            self.chunks_sent,
            self.processing_text(),
        );
        let _ = writeln!(
            out,
            "Organization {}, projects {}{}{}",
            self.org,
            self.projects.join(", "),
            self.release
                .as_ref()
                .map(|r| format!(", release {r}"))
                .unwrap_or_default(),
            self.dist
                .as_ref()
                .map(|d| format!(", dist {d}"))
                .unwrap_or_default(),
        );
        for file in &self.files {
            let _ = write!(out, "  {} ", file.url);
            match file.debug_id {
                Some(id) => {
                    let _ = write!(out, "{id}");
                }
                None => out.push_str("(no debug id)"),
            }
            if let Some(reference) = &file.sourcemap {
                let _ = write!(out, " -> {}", short_reference(reference));
            }
            out.push('\n');
        }
        for (path, reason) in &self.skipped {
            let _ = writeln!(out, "  skipped {}: {reason}", path.display());
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        out
    }

    /// The report as one JSON document.
    pub fn json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                json!({
                    "path": f.path.display().to_string(),
                    "url": f.url,
                    "type": f.kind.as_str(),
                    "debug_id": f.debug_id.map(|id| id.to_string()),
                    "sourcemap": f.sourcemap.as_deref().map(short_reference),
                    "size": f.size,
                })
            })
            .collect();
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|(path, reason)| json!({"path": path.display().to_string(), "reason": reason}))
            .collect();
        json!({
            "bundle_id": self.bundle_id.to_string(),
            "bundle_size": self.bundle_size,
            "chunks": self.chunks,
            "chunks_sent": self.chunks_sent,
            "processing": match self.processing {
                Processing::Done => "done",
                Processing::Pending => "pending",
            },
            "org": self.org,
            "projects": self.projects,
            "release": self.release,
            "dist": self.dist,
            "minified_sources": self.count(FileType::MinifiedSource),
            "source_maps": self.count(FileType::SourceMap),
            "bytes": self.bytes(),
            "files": files,
            "skipped": skipped,
            "warnings": self.warnings,
        })
    }

    /// The job summary: counts, then the files (the first hundred).
    pub fn markdown(&self) -> String {
        const LISTED: usize = 100;
        let mut out = format!(
            "### Source maps uploaded\n\n{} files ({} minified sources, {} source maps, {}) in artifact bundle `{}`: {}.\n\n",
            self.files.len(),
            self.count(FileType::MinifiedSource),
            self.count(FileType::SourceMap),
            human_bytes(self.bytes()),
            self.bundle_id,
            self.processing_text(),
        );
        out.push_str("| file | type | debug id |\n|---|---|---|\n");
        for file in self.files.iter().take(LISTED) {
            let id = file
                .debug_id
                .map_or("none".to_owned(), |id| format!("`{id}`"));
            let _ = writeln!(
                out,
                "| `{}` | {} | {id} |",
                file.url.replace('|', "\\|"),
                file.kind.as_str()
            );
        }
        if self.files.len() > LISTED {
            let _ = writeln!(out, "\n…and {} more.", self.files.len() - LISTED);
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "\n> warning: {warning}");
        }
        out
    }
}

/// A `data:` reference is the whole map: shown as `inline`.
fn short_reference(reference: &str) -> &str {
    if reference.starts_with("data:") {
        "inline"
    } else {
        reference
    }
}

/// `1.2 MB`, `340 KB`, `12 B`.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_people_write_them() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(340_000), "340.0 KB");
        assert_eq!(human_bytes(61_733_036), "61.7 MB");
    }
}
