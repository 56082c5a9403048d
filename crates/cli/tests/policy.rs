//! `jaga policy`: the written policy follows the configuration (a setting flipped changes the
//! text), an invalid `policy.toml` is refused naming the key, every format renders.

mod common;
use common::{jaga, ok, temp};

#[test]
fn the_written_policy_follows_the_configuration() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let before = ok(&jaga(
        &dir,
        &["policy", "render", "--lang", "en", "--format", "md"],
    ));
    assert!(
        before.contains("No scheduled backups are configured."),
        "{before}"
    );
    assert!(
        before.contains("no witness outside the server is configured"),
        "{before}"
    );
    assert!(before.contains("Identity (NIK, birth date)"));
    assert!(
        before.contains("cs_manager (masked, revealed per customer"),
        "{before}"
    );
    // Turn scheduled backups on: the text now says so, and no longer says the opposite.
    let toml = std::fs::read_to_string(dir.join("data/jaga.toml")).unwrap();
    std::fs::write(
        dir.join("data/jaga.toml"),
        format!(
            "{toml}\n[backup]\ndir = \"backups\"\npassphrase_file = \"b.pass\"\nevery_hours = 12\n"
        ),
    )
    .unwrap();
    let after = ok(&jaga(
        &dir,
        &["policy", "render", "--lang", "en", "--format", "md"],
    ));
    assert!(after.contains("every 12 hours"), "{after}");
    assert!(!after.contains("No scheduled backups"));
    // A role override changes who may see a category.
    let toml = std::fs::read_to_string(dir.join("data/jaga.toml")).unwrap();
    std::fs::write(
        dir.join("data/jaga.toml"),
        format!("{toml}\n[staff.roles.cs_staff]\nnational_id = \"masked\"\n"),
    )
    .unwrap();
    let roles = ok(&jaga(
        &dir,
        &["policy", "render", "--lang", "en", "--format", "md"],
    ));
    let identity = roles.lines().find(|l| l.starts_with("| Identity")).unwrap();
    assert!(identity.contains("cs_staff (masked)"), "{identity}");

    // Bahasa Indonesia, HTML and PDF.
    let id = ok(&jaga(
        &dir,
        &["policy", "render", "--lang", "id", "--format", "html"],
    ));
    assert!(
        id.contains("<html lang=\"id\">") && id.contains("Hak Anda"),
        "{id}"
    );
    let pdf = dir.join("policy.pdf");
    ok(&jaga(
        &dir,
        &[
            "policy",
            "render",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-1.4"));

    // The shop's own policy.toml; then an invalid one is refused naming the key.
    ok(&jaga(&dir, &["policy", "init"]));
    ok(&jaga(&dir, &["policy", "check"]));
    let p = dir.join("data/policy.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen("retention_days = 365", "retention_days = 0", 1),
    )
    .unwrap();
    let o = jaga(&dir, &["policy", "render"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("retention_days"), "{err}");
    std::fs::write(
        &p,
        format!("{text}\n[categories.skin]\npurpose_id = \"x\"\n"),
    )
    .unwrap();
    let err = String::from_utf8_lossy(&jaga(&dir, &["policy", "check"]).stderr).into_owned();
    assert!(err.contains("skin"), "{err}");
}
