//! `kbfresh check` in the binary: options to a report, reports to files or standard output, and the
//! exit code (0 pass, 1 the policy fails, 2 the check could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ArgMatches;

use kbfresh::cli::CheckArgs;
use kbfresh::diagnostics::{Diagnostic, Failure};
use kbfresh::report::Format;

use crate::Printer;

/// The digest's window without `--due-within`: two weeks, a sprint.
const DEFAULT_DUE_WITHIN: u32 = 14;

/// Each `--output` belongs to the `--format` given just before it.
fn outputs(
    args: &CheckArgs,
    m: Option<&ArgMatches>,
) -> Result<Vec<(Format, Option<PathBuf>)>, Diagnostic> {
    if args.format.is_empty() && !args.output.is_empty() {
        return Err(Diagnostic::error("--output needs a --format before it")
            .hint("write the format first: --format json --output report.json"));
    }
    let mut formats: Vec<(usize, Format)> = Vec::new();
    let idx_f: Vec<usize> = m
        .and_then(|m| m.indices_of("format"))
        .map(Iterator::collect)
        .unwrap_or_default();
    for (i, f) in args.format.iter().enumerate() {
        formats.push((idx_f.get(i).copied().unwrap_or(i), *f));
    }
    if formats.is_empty() {
        // `check --due-within 14d` asks for the digest.
        let f = if args.due_within.is_some() {
            Format::Digest
        } else {
            Format::Text
        };
        formats.push((0, f));
    }
    let mut out: Vec<(Format, Option<PathBuf>)> = formats.iter().map(|(_, f)| (*f, None)).collect();
    let idx_o: Vec<usize> = m
        .and_then(|m| m.indices_of("output"))
        .map(Iterator::collect)
        .unwrap_or_default();
    for (i, path) in args.output.iter().enumerate() {
        let at = idx_o.get(i).copied().unwrap_or(usize::MAX);
        let owner = formats
            .iter()
            .rposition(|(fi, _)| *fi < at)
            .ok_or_else(|| {
                Diagnostic::error(format!(
                    "--output {} comes before any --format",
                    path.display()
                ))
                .hint("write the format first: --format json --output report.json")
            })?;
        if out[owner].1.is_some() {
            return Err(Diagnostic::error(format!(
                "two --output files for one --format ({})",
                path.display()
            )));
        }
        out[owner].1 = Some(path.clone());
    }
    Ok(out)
}

pub fn run(
    opts: &kbfresh::Options,
    args: &CheckArgs,
    m: Option<&ArgMatches>,
    printer: &Printer,
) -> ExitCode {
    match run_inner(opts, args, m, printer) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(f) => printer.fail(&f),
    }
}

fn run_inner(
    opts: &kbfresh::Options,
    args: &CheckArgs,
    m: Option<&ArgMatches>,
    printer: &Printer,
) -> Result<bool, Failure> {
    let targets = outputs(args, m)?;
    let co = kbfresh::CheckOptions {
        fail_on: args.fail_on.as_ref().map(|l| l.0.clone()),
        changed_since: args.changed_since.clone(),
        owner: args.owner.clone(),
        section: args.section.clone(),
        offline: args.offline,
        no_cache: args.no_cache,
        progress: kbfresh::links::show_progress(printer.quiet),
        verbose: printer.verbose,
        due_within: args.due_within.unwrap_or(DEFAULT_DUE_WITHIN),
        translator_packets: targets.iter().any(|(f, _)| *f == Format::Translator),
    };
    let checked = kbfresh::check(opts, &co)?;
    let report = &checked.report;
    if printer.verbose {
        eprintln!("note: {}", checked.timings.line());
    }

    let text_on_stdout = targets
        .iter()
        .any(|(f, p)| *f == Format::Text && p.is_none());
    if !text_on_stdout {
        // Link findings are in the report itself; everything else goes to stderr.
        printer.diagnostics(&checked.diagnostics.0);
    }
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut stdout = std::io::stdout().lock();
    for (format, path) in &targets {
        match path {
            Some(p) => {
                let text = report.render(*format, false);
                kbfresh::fsutil::write_atomic(p, text.as_bytes()).map_err(|e| {
                    Diagnostic::error(format!("cannot write the report `{}`: {e}", p.display()))
                })?;
            }
            None => {
                let text = report.render(*format, color && *format == Format::Text);
                let _ = stdout.write_all(text.as_bytes());
            }
        }
        if *format == Format::Github
            && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
        {
            let md = report.render(Format::Markdown, false);
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .and_then(|mut f| f.write_all(md.as_bytes()));
            if let Err(e) = appended {
                printer.diagnostics(&[Diagnostic::warning(format!(
                    "cannot append to GITHUB_STEP_SUMMARY: {e}"
                ))]);
            }
        }
    }
    if !text_on_stdout && !printer.quiet {
        eprintln!("{}", report.summary_line());
    }
    Ok(report.passed())
}
