//! Runs a parsed command line: settles the configuration and dispatches to the face asked for.

use crate::cli::{Cli, Command, McpArgs, McpHttpArgs, ReleaseCommand, Transport};
use crate::config::{Config, Flags, Sources};
use crate::mcp::{ClientToken, HttpSettings, McpServer};
use crate::sentry::AuthToken;
use crate::tools::{Registry, ToolContext};
use anyhow::Context;
use std::sync::Arc;

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

/// Runs the command; an `Err` is exit code 2 with its message.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    let config = settle_config(&cli)?;
    match cli.command {
        Command::Mcp(args) => serve_mcp(&config, args).await,
        Command::Tool(args) => crate::tool_cli::run(&config, args).await,
        Command::Release(command) => run_release(&config, command).await,
    }
}

async fn run_release(config: &Config, command: ReleaseCommand) -> anyhow::Result<Exit> {
    match command {
        ReleaseCommand::ProposeVersion(args) => crate::release::version::run(config, &args),
        ReleaseCommand::Create(args) => crate::release::create::run(config, &args).await,
        ReleaseCommand::Finalize(args) => crate::release::finalize(config, &args).await,
        ReleaseCommand::Deploy(args) => crate::release::deploy(config, &args).await,
        ReleaseCommand::Gate(args) => crate::gate::run(config, &args).await,
    }
}

async fn serve_mcp(config: &Config, args: McpArgs) -> anyhow::Result<Exit> {
    let context = Arc::new(ToolContext::from_config(config)?);
    let server = McpServer::new(Arc::new(Registry::new()), context, args.read_only)
        .with_call_timeout(args.call_timeout);
    match args.transport {
        Transport::Stdio => server.serve_stdio().await?,
        Transport::Http => {
            let settings = http_settings(&args.http)?;
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            server
                .serve_http(listener, settings, shutdown_signal())
                .await?
        }
    }
    Ok(Exit::Success)
}

/// The HTTP flags as the MCP face's settings.
fn http_settings(args: &McpHttpArgs) -> anyhow::Result<HttpSettings> {
    let token = args
        .http_token
        .as_deref()
        .map(ClientToken::new)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    Ok(HttpSettings {
        token,
        allowed_hosts: args.allowed_hosts.clone(),
        stateless: args.stateless,
        session_idle_timeout: args.session_idle_timeout,
        max_sessions: args.max_sessions as usize,
        max_connections: args.max_connections as usize,
        ..HttpSettings::default()
    })
}

/// Ctrl-C, or SIGTERM (how containers and Kubernetes stop a process).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Flags of the command line over environment and files.
fn settle_config(cli: &Cli) -> anyhow::Result<Config> {
    let url_after_subcommand = match &cli.command {
        Command::Mcp(args) => args.sentry.sentry_url.clone(),
        Command::Tool(args) => args.sentry.sentry_url.clone(),
        Command::Release(ReleaseCommand::Finalize(args)) => args.sentry.sentry_url.clone(),
        Command::Release(ReleaseCommand::Gate(args)) => args.sentry.sentry_url.clone(),
        Command::Release(_) => None,
    };
    let flags = Flags {
        auth_token: cli.global.auth_token.as_deref().map(AuthToken::new),
        url: url_after_subcommand.or_else(|| cli.global.url.clone()),
        org: cli.global.org.clone(),
        projects: cli.global.projects.clone(),
        output: cli.global.output,
    };
    Ok(Config::resolve(&flags, &Sources::from_process())?)
}
