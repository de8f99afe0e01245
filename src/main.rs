//! The binary: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;
use sentry_companion::cli::Cli;
use sentry_companion::output::sanitize::terminal_safe;
use sentry_companion::sentry::log;
use std::process::ExitCode;

fn main() -> ExitCode {
    pin_mmap_threshold();
    die_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(sentry_companion::run(cli)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) => {
            // Scrubbed and neutralised: a server's answer may echo the token or carry escapes.
            eprintln!(
                "error: {}",
                terminal_safe(&log::scrub(&format!("{error:#}")))
            );
            ExitCode::from(2)
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed; multi-megabyte buffers
/// allocated after that (files read, compressed entries, request bodies) land in heaps that are
/// not given back. Pinning it: `sourcemaps upload` of a 61 MB build peaked at 66 MB RSS, 35 MB pinned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_mmap_threshold() {
    // SAFETY: mallopt only tunes the allocator; it runs first, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_mmap_threshold() {}

/// Rust ignores SIGPIPE, so a write to a closed pipe (`sentry-companion tool list | head`) fails
/// and `println!` panics (an abort in the release build). A command-line tool should end quietly
/// instead, as every Unix filter does: restore the default action.
#[cfg(unix)]
fn die_quietly_on_a_closed_pipe() {
    // SAFETY: resetting a signal's disposition to the default, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn die_quietly_on_a_closed_pipe() {}
