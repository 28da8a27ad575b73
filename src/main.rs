//! The `kbfresh` binary: parse the CLI, call the library, print diagnostics, map results to exit codes
//! (0 success, 2 usage, config or content error).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

mod check;

use kbfresh::cli::{Cli, Command};
use kbfresh::diagnostics::{Diagnostic, Failure, Severity};

const EXIT_ERROR: u8 = 2;

// Rendering ten thousand pages on every core is allocation-bound; glibc's malloc spent a quarter of
// a build in malloc/free under contention (perf), mimalloc's per-thread heaps do not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: first thing in `main`: no other thread exists and no repository is open yet.
    unsafe { kbfresh::history::tune_libgit2() };
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (cli, matches) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let g = &cli.global;
    let printer = Printer {
        quiet: g.quiet,
        verbose: g.verbose,
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    // `None`: the clock (and `serve` keeps reading it).
    let fixed_now = match kbfresh::resolve_now(
        g.now.as_deref(),
        std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
    ) {
        Ok(n) => n,
        Err(d) => return printer.fail(&Failure::from(d)),
    };
    let now = fixed_now.unwrap_or_else(jiff::Timestamp::now);
    let opts = kbfresh::Options {
        root: g.root.clone(),
        content: g.content.clone(),
        output: match &cli.command {
            Command::Build { output, .. } => output.clone(),
            _ => None,
        },
        base_url: g.base_url.clone(),
        now,
        drafts: g.drafts,
        history_file: g.history_file.clone(),
    };
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = <kbfresh::cli::Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics when its writer fails (a closed pipe).
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "kbfresh", &mut out);
            use std::io::Write;
            let _ = std::io::stdout().write_all(&out);
            ExitCode::SUCCESS
        }
        Command::Man => {
            let cmd = <kbfresh::cli::Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => {
                    use std::io::Write;
                    // A closed pipe (`| head`) is the reader's choice, not an error.
                    let _ = std::io::stdout().write_all(&out);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: could not write the manual page: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Init { dir } => match kbfresh::init::init(dir, kbfresh::freshness::date_of(now)) {
            Ok(files) => {
                if !g.quiet {
                    println!("Created a help centre in {}:", dir.display());
                    for f in files {
                        println!("  {f}");
                    }
                    println!("\nNext: kbfresh build --root {}", dir.display());
                }
                ExitCode::SUCCESS
            }
            Err(d) => printer.fail(&Failure::from(d)),
        },
        Command::Serve(args) => {
            let so = kbfresh::serve::ServeOptions {
                bind: args.bind,
                port: args.port,
                open: args.open,
                allowed_hosts: args.allowed_hosts.clone(),
                fixed_now: fixed_now.is_some(),
            };
            match kbfresh::serve::serve(opts, &so) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => printer.fail(&f),
            }
        }
        Command::Check(args) => {
            let sub = matches.subcommand_matches("check");
            check::run(&opts, args, sub, &printer)
        }
        Command::Build { check_external, .. } => {
            match kbfresh::build_with(&opts, *check_external) {
                Ok(r) => {
                    printer.diagnostics(&r.diagnostics.0);
                    if g.verbose {
                        eprintln!("note: {}", r.timings.line());
                    }
                    if !g.quiet {
                        let s = r.stats;
                        let left_out = match r.left_out {
                            0 => String::new(),
                            n => format!(
                                ", {n} left out{}",
                                if g.verbose {
                                    ""
                                } else {
                                    " (--verbose lists them)"
                                }
                            ),
                        };
                        let fallbacks = match r.fallbacks {
                            0 => String::new(),
                            n => format!(", {n} untranslated shown in the original"),
                        };
                        println!(
                            "Built {} pages ({} articles in {} sections{fallbacks}, {} files copied{left_out}) in {} ms into {} ({} written, {} unchanged, {} removed)",
                            r.pages,
                            r.articles,
                            r.sections,
                            r.assets,
                            r.elapsed.as_millis(),
                            r.output.display(),
                            s.written,
                            s.unchanged,
                            s.removed
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => printer.fail(&f),
            }
        }
        Command::History(kbfresh::cli::HistoryCommand::Export { file }) => {
            match kbfresh::export_history(&opts, file) {
                Ok(e) => {
                    printer.diagnostics(&e.diagnostics.0);
                    if !g.quiet {
                        println!(
                            "Wrote the history of {} files and {} releases at commit {} to {} ({} KB); on the host, build with --history {}",
                            e.files,
                            e.releases,
                            kbfresh::freshness::short(&e.commit),
                            file.display(),
                            e.bytes.div_ceil(1024),
                            file.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => printer.fail(&f),
            }
        }
        Command::Verify(args) => {
            let date = match &args.date {
                Some(d) => match kbfresh::content::frontmatter::parse_date(d) {
                    Some(d) => d,
                    None => {
                        return printer.fail(&Failure::from(
                            Diagnostic::error(format!("--date `{d}` is not a date"))
                                .hint("write it as 2026-05-02"),
                        ));
                    }
                },
                None => kbfresh::freshness::date_of(now),
            };
            let describes = match &args.release {
                Some(r) => match kbfresh::freshness::Version::parse(r) {
                    Some(_) => Some(r.trim_start_matches(['v', 'V']).to_string()),
                    None => {
                        return printer.fail(&Failure::from(
                            Diagnostic::error(format!("--release `{r}` is not a version"))
                                .hint("write it as 2.4 or v2.4.0"),
                        ));
                    }
                },
                None => match kbfresh::history::newest_release(&opts.root) {
                    Ok(r) => r.map(|r| r.version.to_string()),
                    Err(f) => return printer.fail(&f),
                },
            };
            let edit = kbfresh::verify::Edit {
                verified: date,
                describes,
                by: args.by.clone(),
            };
            match kbfresh::verify::run(
                &g.root,
                g.content.as_deref(),
                &args.articles,
                &edit,
                args.dry_run,
            ) {
                Ok(outcomes) => {
                    for o in outcomes {
                        if args.dry_run {
                            print!("{}", o.diff());
                        } else if o.changes.is_empty() {
                            println!("{}: already verified on {date}", o.path.display());
                        } else if !g.quiet {
                            println!("{}: {}", o.path.display(), o.changes.join(", "));
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => printer.fail(&f),
            }
        }
    }
}

pub(crate) struct Printer {
    quiet: bool,
    verbose: bool,
    color: bool,
}

impl Printer {
    pub(crate) fn diagnostics(&self, diags: &[Diagnostic]) {
        for d in diags {
            let show = match d.severity {
                Severity::Error => true,
                Severity::Warning => !self.quiet,
                Severity::Note => self.verbose,
            };
            if show {
                eprintln!("{}", self.paint(d));
            }
        }
    }

    fn paint(&self, d: &Diagnostic) -> String {
        let text = d.to_string();
        if !self.color {
            return text;
        }
        let (label, code) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Note => ("note", "1;36"),
        };
        text.replacen(label, &format!("\x1b[{code}m{label}\x1b[0m"), 1)
    }

    pub(crate) fn fail(&self, f: &Failure) -> ExitCode {
        self.diagnostics(&f.0);
        let errors = f.0.iter().filter(|d| d.is_error()).count();
        if errors > 1 {
            eprintln!("{errors} errors; nothing was written");
        }
        ExitCode::from(EXIT_ERROR)
    }
}
