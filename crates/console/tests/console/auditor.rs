//! The console's audit log page: who may see it, the search filters and pages, "verify now"
//! (also after a row was edited directly in SQLite) and the checkpoint download.

use super::*;
use jaga_audit::{Signer, SigningKeyPair, open_checkpoint};
use jaga_core::audit::log::{CheckpointOutcome, checkpoint_now};

/// The positions in the events table of a page, in page order.
fn positions(body: &str) -> Vec<u64> {
    let Some(table) = body.split("id=\"audit-events\"").nth(1) else {
        return Vec::new();
    };
    table
        .split("<tr><td>")
        .skip(1)
        .map(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap()
        })
        .collect()
}

/// The `href` of the link with this id.
fn link(body: &str, id: &str) -> Option<String> {
    let i = body.find(&format!("id=\"{id}\""))?;
    let start = body[..i].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    // As a browser reads the attribute (askama escapes `&` as `&#38;`).
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

impl Console {
    async fn code_of(&self, id: uuid::Uuid) -> String {
        self.h
            .store
            .customer_load(id)
            .await
            .unwrap()
            .unwrap()
            .row
            .code
    }

    /// Signs a checkpoint of the current head and pins its verifier key in the server state.
    async fn sign_checkpoint(&self) -> (u64, String, jaga_audit::VerifierKey) {
        let key = SigningKeyPair::from_seed("jaga/audit/console-test", &[7; 32]).unwrap();
        let mut signer = Signer::new(key);
        let out = checkpoint_now(self.h.store.as_ref(), &mut signer, &mut |_| Ok(()))
            .await
            .unwrap();
        let CheckpointOutcome::Signed(cp) = out else {
            panic!("nothing signed")
        };
        let _ = self.state.audit_verifier.set(signer.verifier().clone());
        (cp.size, cp.note, signer.verifier().clone())
    }
}

/// Today in the shop's time zone (WIB by default): the days the audit page's dates mean.
fn today() -> String {
    day_offset(0)
}

fn day_offset(days: i64) -> String {
    jaga_i18n::Zone::default().date_ms(jaga_core::now_ms() + days * 86_400_000)
}

#[tokio::test]
async fn the_auditor_sees_the_log_without_pii_and_other_roles_get_403() {
    let c = console().await;
    let admin = c.admin().await;
    let auditor = c
        .member(&admin, Role::Auditor, "audit@toko.example", true)
        .await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "VIP").await;
    let code = c.code_of(id).await;

    let r = c.get("/console/", Some(&auditor), "").await;
    assert_eq!(r.headers.get("location").unwrap(), "/console/audit");
    let r = c.get("/console/audit", Some(&auditor), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_console_headers(&r, "audit page");
    assert!(
        r.body
            .contains("href=\"/console/audit\" aria-current=\"page\"")
    );
    assert!(r.body.contains("<code>customer.create</code>"));
    assert!(r.body.contains(&code), "events show the customer code");
    for pii in ["Dewi", "dewi.sari", "081234567890", "VIP"] {
        assert!(!r.body.contains(pii), "{pii} on the audit page");
    }
    let p = positions(&r.body);
    assert!(p.len() >= 5 && p.windows(2).all(|w| w[0] > w[1]), "{p:?}");
    // Admins read the log too.
    let r = c.get("/console/audit", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);

    // CS staff: no nav entry, and every audit route is refused.
    let r = c.get("/console/customers", Some(&cs), "").await;
    assert!(!r.body.contains("/console/audit"));
    for uri in ["/console/audit", "/console/audit/checkpoint"] {
        let r = c.get(uri, Some(&cs), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(!r.body.contains("audit-events"));
    }
    let r = c
        .post(
            "/console/audit/verify",
            Some(&cs),
            "",
            &form(&[("csrf_token", &cs.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Reading the log is itself in the log: the auditor's searches and the refusals above.
    let r = c
        .get(
            "/console/audit?action=audit.read",
            Some(&auditor),
            "__Host-jaga_lang=en",
        )
        .await;
    assert!(
        r.body.contains(&format!("staff:{}", auditor.caller.id())),
        "{}",
        r.body
    );
    assert!(r.body.contains("<td>search</td>"));
    let r = c
        .get(
            &format!("/console/audit?action=audit.read&actor={}", cs.caller.id()),
            Some(&auditor),
            "",
        )
        .await;
    // Outcomes in the reader's language (issue 18).
    assert!(r.body.contains("<td>ditolak</td>"), "{}", r.body);
}

#[tokio::test]
async fn audit_search_filters_by_code_action_actor_and_dates_and_pages_newest_first() {
    let c = console().await;
    let admin = c.admin().await;
    let auditor = c
        .member(&admin, Role::Auditor, "audit@toko.example", true)
        .await;
    let a = c.customer("Dewi Sari", "").await;
    let b = c.customer("Budi Santoso", "").await;
    let (code_a, code_b) = (c.code_of(a).await, c.code_of(b).await);
    let get = |q: String| {
        let c = &c;
        let auditor = &auditor;
        async move {
            c.get(&format!("/console/audit?{q}"), Some(auditor), "")
                .await
        }
    };

    // By customer code (case-insensitive): only that customer's events.
    let r = get(format!("code={}", code_a.to_lowercase())).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&code_a) && !r.body.contains(&code_b));
    assert_eq!(positions(&r.body).len(), 1, "{}", r.body);
    let r = get("code=JG-0000-0000-0".into()).await;
    assert!(r.body.contains("id=\"audit-notice\""));
    assert!(positions(&r.body).is_empty());

    // By action, exact or a family.
    let r = get("action=customer.create".into()).await;
    assert_eq!(positions(&r.body).len(), 2);
    assert!(!r.body.contains("<code>staff."));
    let r = get("action=staff".into()).await;
    assert!(r.body.contains("<code>staff."));
    assert!(!r.body.contains("<code>customer.create</code>"));

    // By actor.
    let r = get(format!("actor={}", admin.caller.id())).await;
    assert!(!positions(&r.body).is_empty());
    assert!(!r.body.contains(&format!("staff:{}", auditor.caller.id())));
    assert!(!r.body.contains("system:test"));

    // By date (days in the shop's zone, both ends inclusive).
    let r = get(format!("from={}&to={}", today(), today())).await;
    assert!(positions(&r.body).len() >= 2);
    let r = get(format!("from={}", day_offset(1))).await;
    assert!(positions(&r.body).is_empty() && r.body.contains("audit-empty"));
    let r = get(format!("to={}", day_offset(-1))).await;
    assert!(positions(&r.body).is_empty());
    let r = get("from=2026-02-30".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("TTTT-BB-HH"));
    let r = get(format!("from={}&to={}", day_offset(1), today())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Pages of 50, newest first, no overlap, filters kept on the "older" link.
    for i in 0..55 {
        c.customer(&format!("Pelanggan {i}"), "").await;
    }
    let r = get("action=customer.create".into()).await;
    let first = positions(&r.body);
    assert_eq!(first.len(), 50);
    assert!(first.windows(2).all(|w| w[0] > w[1]));
    let older = link(&r.body, "audit-older").expect("an older page");
    assert!(older.contains("action=customer.create"), "{older}");
    let r = c.get(&older, Some(&auditor), "").await;
    let second = positions(&r.body);
    assert_eq!(second.len(), 7, "57 customers in all");
    assert!(second[0] < first[49]);
    assert!(link(&r.body, "audit-older").is_none());
    assert!(link(&r.body, "audit-newest").is_some());
}

#[tokio::test]
async fn verify_now_reports_ok_then_the_position_of_a_row_edited_in_the_database() {
    let c = console().await;
    let admin = c.admin().await;
    let auditor = c
        .member(&admin, Role::Auditor, "audit@toko.example", true)
        .await;
    c.customer("Dewi Sari", "").await;
    let (size, _, _) = c.sign_checkpoint().await;
    c.customer("Budi Santoso", "").await;
    let verify = |lang: &'static str| {
        let c = &c;
        let auditor = &auditor;
        async move {
            c.post(
                "/console/audit/verify",
                Some(auditor),
                lang,
                &form(&[("csrf_token", &auditor.csrf)]),
            )
            .await
        }
    };
    let r = verify("__Host-jaga_lang=en").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(
            "class=\"notice ok\" role=\"status\" id=\"verify-result\">The log is intact:"
        ),
        "{}",
        r.body
    );
    // Without the CSRF token nothing runs.
    let r = c
        .post("/console/audit/verify", Some(&auditor), "", "x=1")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Someone with SQL access drops the guard trigger and edits an event before the
    // checkpoint.
    let r = c
        .get("/console/audit?action=customer.create", Some(&auditor), "")
        .await;
    let target = *positions(&r.body).last().unwrap();
    assert!(target < size);
    let sql = format!(
        "DROP TRIGGER audit_event_append_only_u; UPDATE audit_event SET leaf = CAST(replace(leaf, 'customer.create', 'customer.update') AS BLOB) WHERE seq = {target};"
    );
    let script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()";
    let o = std::process::Command::new("python3")
        .args(["-c", script, &c.db.display().to_string(), &sql])
        .output()
        .expect("python3 runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = verify("__Host-jaga_lang=en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(&format!(
            "class=\"notice err\" role=\"status\" id=\"verify-result\">The log is NOT intact: first bad position {target} (event bytes do not match their stored hash (modified))"
        )),
        "{}",
        r.body
    );
    let r = verify("").await;
    assert!(
        r.body.contains(&format!(
            "posisi bermasalah pertama {target} (isi kejadian tidak cocok dengan hash tersimpannya (diubah))"
        )),
        "the reason in Bahasa Indonesia too: {}",
        r.body
    );
}

#[tokio::test]
async fn the_latest_checkpoint_downloads_as_the_signed_note_and_the_download_is_audited() {
    let c = console().await;
    let admin = c.admin().await;
    let auditor = c
        .member(&admin, Role::Auditor, "audit@toko.example", true)
        .await;
    let r = c.get("/console/audit", Some(&auditor), "").await;
    assert!(r.body.contains("Belum ada checkpoint"));
    assert!(!r.body.contains("checkpoint-download"));
    let r = c.get("/console/audit/checkpoint", Some(&auditor), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    c.customer("Dewi Sari", "").await;
    let (size, note, key) = c.sign_checkpoint().await;
    let r = c.get("/console/audit", Some(&auditor), "").await;
    assert!(r.body.contains(&format!(
        "Checkpoint bertanda tangan terakhir: {size} kejadian."
    )));
    assert_eq!(
        link(&r.body, "checkpoint-download").as_deref(),
        Some("/console/audit/checkpoint")
    );
    let r = c.get("/console/audit/checkpoint", Some(&auditor), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        r.headers.get("content-disposition").unwrap(),
        format!("attachment; filename=\"checkpoint-{size}.txt\"").as_str()
    );
    assert_eq!(r.body, note);
    let opened = open_checkpoint(&r.body, &key).expect("signed by the log's key");
    assert_eq!(opened.checkpoint.size, size);

    let r = c
        .get(
            &format!(
                "/console/audit?action=audit.read&actor={}",
                auditor.caller.id()
            ),
            Some(&auditor),
            "",
        )
        .await;
    assert!(r.body.contains("<td>checkpoint</td>"), "{}", r.body);
}
