//! One integration-test binary (it links once): every end-to-end and HTTP test lives under here.

mod support;

mod action;
mod cli;
mod client;
mod gate;
mod mcp;
mod mcp_http;
mod mcp_stdio;
mod output_safety;
mod release;
mod sourcemaps;
mod tools;
mod transport;
