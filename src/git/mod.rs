//! The only code that knows git2: history walks, patch sets, remotes.
