//! The README's walkthrough runs as written: its shell blocks between
//! `<!-- readme-walkthrough:begin -->` and `<!-- readme-walkthrough:end -->`, in bash, with `jaga`
//! on the PATH, in a folder where `jaga serve` runs with the default data directory
//! `./jaga-data`. Only the address changes: the server listens on a port the kernel picks (other
//! tests run at the same time), so `127.0.0.1:8443` is replaced by it. `curl` fails on an error
//! status, so every command must succeed. The README's `[staff]` sample is loaded as written.

use std::path::Path;
use std::process::Command;

mod common;
use common::{BIN, Served, jaga_with, ok, temp};

const README: &str = include_str!("../../../README.md");

/// The ```sh blocks between the markers, in order.
fn walkthrough() -> String {
    let begin = README
        .find("<!-- readme-walkthrough:begin -->")
        .expect("begin marker");
    let end = README
        .find("<!-- readme-walkthrough:end -->")
        .expect("end marker");
    let mut script = String::new();
    let mut inside = false;
    for line in README[begin..end].lines() {
        match (inside, line.trim_end()) {
            (false, "```sh") => inside = true,
            (true, "```") => inside = false,
            (true, l) => {
                script.push_str(l);
                script.push('\n');
            }
            _ => {}
        }
    }
    assert!(script.contains("curl"), "no walkthrough found");
    script
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    assert!(have("curl") && have("bash"), "curl and bash are needed");
    let dir = temp();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("jaga")).unwrap();
    let data = dir.join("jaga-data");
    let data_s = data.display().to_string();
    let s = Served::start(&dir, &[("JAGA_DATA_DIR", &data_s)]);
    let script = walkthrough().replace("127.0.0.1:8443", &s.addr);
    let checks = format!(
        "\n# The test's own checks after the walkthrough:\n\
         test \"$(command curl -s -o /dev/null -w '%{{http_code}}' --cacert $CERT \
         https://{addr}/v1/customers/$ID -H \"Authorization: Bearer $KEY\")\" = 410\n",
        addr = s.addr
    );
    let prelude = "set -euo pipefail\n\
                   curl() { command curl --fail-with-body --show-error \"$@\"; echo; }\n";
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}{checks}"))
        .current_dir(&dir)
        .env("PATH", path)
        .env_remove("JAGA_DATA_DIR")
        .env("JAGA_LOG", "warn")
        .output()
        .unwrap();
    let out = ok(&o);
    // What the walkthrough shows: masks, a revealed phone, the NIK behind the note's token.
    assert!(out.contains("d***@example.co.id"), "{out}");
    assert!(
        out.contains("+62 812-3456-7890") || out.contains("+6281234567890"),
        "{out}"
    );
    assert!(
        out.contains("3174011205900001"),
        "the resolved token: {out}"
    );
    drop(s);
}

#[test]
fn the_readme_staff_sample_loads_as_written() {
    let at = README
        .find("`[staff]` in `jaga.toml`:")
        .expect("the [staff] sample");
    let rest = &README[at..];
    let start = rest.find("```toml\n").unwrap() + 8;
    let sample = &rest[start..start + rest[start..].find("```").unwrap()];
    let dir = temp();
    ok(&jaga_with(&dir, &["init"], &[]));
    write(&dir.join("data/jaga.toml"), sample);
    let out = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    assert!(out.contains("email"), "{out}");
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}
