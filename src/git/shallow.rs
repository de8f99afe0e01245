//! Shallow clones: fetching more history with `git fetch --deepen` (libgit2 is built without
//! network support, so this one step runs the `git` program).

use super::{GitError, GitRepo};
use std::process::Command;

impl GitRepo {
    /// Runs `git fetch --deepen=COMMITS REMOTE` in this repository.
    pub fn deepen(&self, remote: &str, commits: usize) -> Result<(), GitError> {
        if remote.starts_with('-') {
            return Err(GitError::Command(format!(
                "the remote name {remote:?} cannot start with '-'"
            )));
        }
        let output = Command::new("git")
            .arg("-C")
            .arg(self.work_dir())
            .args(["fetch", "--quiet", "--no-tags"])
            .arg(format!("--deepen={commits}"))
            .arg(remote)
            .output()
            .map_err(|e| {
                GitError::Command(format!(
                    "--deepen needs the git program, which could not be run ({e}); install git, or fetch the full history in the checkout step"
                ))
            })?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(GitError::Command(format!(
            "git fetch --deepen={commits} {remote} failed: {}",
            without_credentials(stderr.trim())
        )))
    }
}

/// Removes `user:password@` from any URL in a message from git.
fn without_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(['/', ' ', '\n', '\'', '"'])
            .unwrap_or(after.len());
        match after[..authority_end].rfind('@') {
            Some(credentials_end) => rest = &after[credentials_end + 1..],
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_messages() {
        assert_eq!(
            without_credentials(
                "fatal: unable to access 'https://gitlab-ci-token:s3cret@gitlab.com/g/r.git/': 403"
            ),
            "fatal: unable to access 'https://gitlab.com/g/r.git/': 403"
        );
        assert_eq!(
            without_credentials("no url here; ssh://git@host/x and https://h/y"),
            "no url here; ssh://host/x and https://h/y"
        );
    }
}
