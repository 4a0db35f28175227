//! `activity-finder-proxy check FILE_OR_DIR...`: reads saved RPDE pages (a directory means
//! every `*.json` file below it, sorted), joins them and prints a JSON report.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Collects `*.json` files below `dir`, recursively.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            json_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads saved RPDE pages, joins them and prints a JSON report.
///
/// Pages are named by their file path; the report groups them into feeds by each page's own
/// `next` URL. Exit code 0 when the input was read and at least one page parsed.
pub fn run(paths: &[PathBuf]) -> ExitCode {
    if paths.is_empty() {
        eprintln!("check: give one or more RPDE page files or directories");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = json_files(p, &mut found) {
                eprintln!("check: cannot read directory {}: {e}", p.display());
                return ExitCode::from(2);
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut pages = Vec::with_capacity(files.len());
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => pages.push((f.display().to_string(), text)),
            Err(e) => {
                eprintln!("check: cannot read {}: {e}", f.display());
                return ExitCode::from(2);
            }
        }
    }
    let report = openactive::check::check_pages(pages);
    match serde_json::to_string_pretty(&report) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("check: cannot render the report: {e}");
            return ExitCode::FAILURE;
        }
    }
    if report.pages == 0 || report.errors.len() == report.pages {
        eprintln!(
            "check: no RPDE page could be parsed ({} files)",
            report.pages
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
