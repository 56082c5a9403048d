//! The activity page: everyone's own actions, and for a cs_manager the CS team's (DESIGN's
//! "own actions" / "team" rows), limited to the manager's segments.

use super::*;
use std::collections::BTreeSet;

impl Console {
    /// A member restricted to `segments`, invited by `admin`.
    pub(super) async fn in_segments(
        &self,
        admin: &Member,
        role: Role,
        email: &str,
        segments: &[&str],
    ) -> Member {
        let inv = self
            .state
            .staff
            .invite(
                &admin.caller,
                &NewInvitation {
                    email: email.into(),
                    role,
                    segments: segments.iter().map(|s| s.to_string()).collect(),
                },
            )
            .await
            .unwrap();
        self.onboard(inv.token.expose_secret(), email, true).await
    }
}

async fn team_actors(c: &Console, m: &Member) -> BTreeSet<String> {
    c.state
        .vault
        .team_activity(&m.caller, 5_000, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.event.actor_id)
        .collect()
}

#[tokio::test]
async fn a_cs_manager_sees_the_cs_team_in_their_segments_and_others_do_not() {
    let c = console().await;
    let admin = c.admin().await;
    let jkt = c
        .in_segments(&admin, Role::CsStaff, "jkt@toko.example", &["jakarta"])
        .await;
    let bdg = c
        .in_segments(&admin, Role::CsStaff, "bdg@toko.example", &["bandung"])
        .await;
    let finance = c
        .member(&admin, Role::Finance, "fin@toko.example", true)
        .await;
    let boss = c
        .member(&admin, Role::CsManager, "boss@toko.example", true)
        .await;
    let bdg_boss = c
        .in_segments(
            &admin,
            Role::CsManager,
            "mgr.bdg@toko.example",
            &["bandung"],
        )
        .await;

    let all = team_actors(&c, &boss).await;
    for m in [&jkt, &bdg, &boss, &bdg_boss] {
        assert!(all.contains(m.caller.id()), "CS member in the team view");
    }
    for m in [&admin, &finance] {
        assert!(!all.contains(m.caller.id()), "not CS: not in the team view");
    }
    let bandung = team_actors(&c, &bdg_boss).await;
    assert!(bandung.contains(bdg.caller.id()));
    assert!(
        !bandung.contains(jkt.caller.id()),
        "another segment's member is not shown"
    );

    // The page: a team table for the manager only.
    let r = c.get("/console/activity", Some(&boss), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"team-activity\""), "{}", r.body);
    assert!(r.body.contains("staff.agreement.accept"));
    let r = c.get("/console/activity", Some(&jkt), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"activity\""));
    assert!(!r.body.contains("id=\"team\""));

    // Other roles cannot ask for it; every look (and refusal) is in the log.
    for m in [&jkt, &finance, &admin] {
        assert!(
            c.state
                .vault
                .team_activity(&m.caller, 5_000, 10)
                .await
                .is_err()
        );
    }
    let looks: Vec<String> =
        c.h.store
            .audit_events(0, 100_000)
            .await
            .unwrap()
            .iter()
            .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
            .filter(|l| l.contains("\"audit.read\"") && l.contains("\"team\""))
            .collect();
    assert!(looks.iter().any(|l| l.contains("\"denied\"")));
    assert!(looks.iter().filter(|l| !l.contains("\"denied\"")).count() >= 3);
}
