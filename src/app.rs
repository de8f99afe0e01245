//! Runs a parsed command line: settles the configuration, builds the session once, turns the
//! arguments into the core's requests and dispatches. Nothing imports this module.

use crate::cli::{
    Cli, Command, McpArgs, McpHttpArgs, ReleaseCommand, SourcemapsCommand, Transport,
};
use crate::config::{Config, Flags, Sources};
use crate::exit::Exit;
use crate::mcp::{ClientToken, HttpSettings, McpServer};
use crate::sentry::{AuthToken, SentryClient, Session, log};
use crate::tool_cli::ToolCall;
use crate::tools::{Registry, ToolContext};
use anyhow::Context;
use clap::CommandFactory;
use std::sync::Arc;

/// Runs the command; an `Err` is exit code 2 with its message.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    let config = settle_config(&cli)?;
    let session = session(&config)?;
    match cli.command {
        Command::Mcp(args) => serve_mcp(session, args).await,
        Command::Tool(args) => {
            let Some(name) = args.name else {
                // `tool --help` (or no name): the subcommand's own usage.
                let mut command = Cli::command();
                if let Some(tool) = command.find_subcommand_mut("tool") {
                    tool.print_help()?;
                }
                anyhow::ensure!(
                    args.help,
                    "name a tool, or run `sentry-companion tool list`"
                );
                return Ok(Exit::Success);
            };
            let call = ToolCall {
                name,
                pairs: args.args,
                json: args.json,
                help: args.help,
                call_timeout: args.call_timeout,
            };
            crate::tool_cli::run(session, config.output, call).await
        }
        Command::Release(command) => run_release(&config, &session, command).await,
        Command::Sourcemaps(command) => run_sourcemaps(&config, &session, command).await,
    }
}

async fn run_sourcemaps(
    config: &Config,
    session: &Session,
    command: SourcemapsCommand,
) -> anyhow::Result<Exit> {
    match command {
        SourcemapsCommand::Inject(args) => {
            crate::sourcemaps::run_inject(&args.request(), config.output)?;
        }
        SourcemapsCommand::Upload(args) => {
            let request = args.request(config.org.clone(), config.projects.clone());
            crate::sourcemaps::run_upload(session.client(), &request, config.output).await?;
        }
    }
    Ok(Exit::Success)
}

async fn run_release(
    config: &Config,
    session: &Session,
    command: ReleaseCommand,
) -> anyhow::Result<Exit> {
    let output = config.output;
    Ok(match command {
        ReleaseCommand::ProposeVersion(args) => {
            crate::release::version::run(&args.into_request(output))?
        }
        ReleaseCommand::Create(args) => {
            let request = args
                .into_request(output, config.vcs_remote.as_deref())
                .map_err(anyhow::Error::msg)?;
            let report = request.ci_report();
            let result = crate::release::create::run(session, request).await;
            report.settle(result, config.allow_failure)?
        }
        ReleaseCommand::Finalize(args) => {
            let request = args.into_request(output);
            let report = request.ci_report();
            let result = crate::release::finalize(session, request).await;
            report.settle(result, config.allow_failure)?
        }
        ReleaseCommand::Deploy(args) => {
            let request = args.into_request(output);
            let report = request.ci_report();
            let result = crate::release::deploy(session, request).await;
            report.settle(result, config.allow_failure)?
        }
        ReleaseCommand::Gate(args) => {
            let request = args.into_request(config.projects.clone(), output);
            crate::gate::run(session, request).await?
        }
        ReleaseCommand::Backtest(args) => {
            let request = args.into_request(config.projects.clone(), output);
            crate::gate::backtest::run(session, request).await?
        }
    })
}

async fn serve_mcp(session: Session, args: McpArgs) -> anyhow::Result<Exit> {
    let context = Arc::new(ToolContext::new(session));
    let server = McpServer::new(Arc::new(Registry::new()), context, args.read_only)
        .with_toolsets(args.toolsets.unwrap_or_default())
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

/// The client and defaults every command talks to Sentry with (no request is made here).
fn session(config: &Config) -> anyhow::Result<Session> {
    let client = SentryClient::new(config.client_config())?;
    Ok(Session::new(
        client,
        config.org.clone(),
        config.projects.clone(),
    ))
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
        Command::Release(ReleaseCommand::Gate(args)) => args.sentry.sentry_url.clone(),
        Command::Release(ReleaseCommand::Backtest(args)) => args.sentry.sentry_url.clone(),
        // After create, finalize and deploy, `--url` is the release's or deploy's link (sentry-cli).
        Command::Release(_) | Command::Sourcemaps(_) => None,
    };
    let flags = Flags {
        auth_token: cli.global.auth_token.as_deref().map(AuthToken::new),
        url: url_after_subcommand.or_else(|| cli.global.url.clone()),
        org: cli.global.org.clone(),
        projects: cli.global.projects.clone(),
        output: cli.global.output,
        log_level: cli.global.log_level,
        headers: cli.global.headers.clone(),
        allow_failure: cli.global.allow_failure,
    };
    let config = Config::resolve(&flags, &Sources::from_process())?;
    log::set_level(config.log_level);
    config.report();
    Ok(config)
}
