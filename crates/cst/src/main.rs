//! `cst`: the binary. Parses the command line, loads the settings, wires the crates.

mod background;
mod cli;
mod demo;
mod demo_agenda;
mod demo_billing;
mod demo_faq;
mod demo_logs;
mod demo_office;
mod demo_portal;
mod demo_training;
mod settings;

use std::process::ExitCode;

/// mimalloc instead of glibc's allocator: under concurrent requests glibc's malloc/free were a
/// quarter of the server's CPU time (perf, bench/http.sh on the entity list page).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = <cli::Args as clap::CommandFactory>::command().get_matches();
    let mut args = match <cli::Args as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    if let Some(path) = args.config.clone() {
        match settings::FileSettings::load(&path) {
            Ok(file) => settings::apply(&mut args, &matches, file),
            Err(e) => {
                eprintln!("cst: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("CST_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("warn,cst=info,web=info,db=info")
        })
    };
    if args.log_format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cst: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the reason and its causes.
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("cst: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
