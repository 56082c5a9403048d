//! The Security page (admin): alerts with acknowledgement, an incident opened from an alert with
//! its deadline and affected codes, the incident-response plan; other roles get 403; and a
//! staff member contained by a rule is refused on the very next request.

use super::*;
use jaga_core::auth::{ActorKind, Scope};
use jaga_core::ids::{Containment, IdsConfig};
use jaga_core::model::Field;

fn csrf_form(m: &Member) -> String {
    form(&[("csrf_token", &m.csrf)])
}

#[tokio::test]
async fn admins_acknowledge_alerts_and_open_incidents_other_roles_get_403() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let mut ids = Vec::new();
    for i in 0..21 {
        ids.push(c.customer(&format!("Zulkarnaen {i}"), "-").await);
    }
    let thief = Caller::for_tests(
        ActorKind::ApiKey,
        "thief",
        &[Scope::CustomersRead, Scope::CustomersReveal],
    );
    for id in &ids {
        c.h.vault
            .revealer(&thief, Some("ticket 9"))
            .await
            .unwrap()
            .get(*id, &[Field::Email])
            .await
            .unwrap();
    }
    c.h.vault.ids_drain().await.unwrap();

    let r = c.get("/console/security", Some(&cs), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.get("/console/security", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("bulk_reveal") && r.body.contains("api_key:thief"));
    assert!(
        !r.body.contains("Zulkarnaen") && !r.body.contains("dewi.sari"),
        "no personal data on the page"
    );
    let alert_id = r
        .body
        .split("id=\"alert-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    // Acknowledge (a cs member cannot).
    let ack = format!("/console/security/alerts/{alert_id}/ack");
    let r = c.post(&ack, Some(&cs), "", &csrf_form(&cs)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.post(&ack, Some(&admin), "", &csrf_form(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a = c.h.store.alert_get(&alert_id).await.unwrap().unwrap();
    assert!(a.acked_at.is_some());
    // Open an incident from the alert: deadline and the 21 codes the key touched.
    let r = c
        .post(
            &format!("/console/security/alerts/{alert_id}/incident"),
            Some(&admin),
            "",
            &csrf_form(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/console/security/incidents/inc-"), "{to}");
    let r = c.get(&to, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"deadline\""));
    // The deadline in the shop's time zone (WIB unless configured), counting down while open.
    let deadline_ms = a.created_at + jaga_core::ids::incident::DEADLINE_MS;
    let local = jaga_i18n::Zone::default().datetime_ms(deadline_ms);
    let div = |body: &str| {
        let at = body.find("id=\"deadline\"").unwrap();
        body[at..at + body[at..].find("</div>").unwrap()].to_string()
    };
    let d = div(&r.body);
    assert!(d.contains(&local), "{d} shows {local}");
    assert!(
        !d.contains(&jaga_core::format_ms(deadline_ms)),
        "not in UTC: {d}"
    );
    assert!(d.contains(" h)"), "hours left while open: {d}");
    // Closed: the countdown stops.
    let inc_id = to.rsplit('/').next().unwrap();
    c.h.vault
        .incident_note(&c.h.admin(), inc_id, None, true)
        .await
        .unwrap();
    let r = c.get(&to, Some(&admin), "").await;
    let d = div(&r.body);
    assert!(
        d.contains(&local) && !d.contains(" h)"),
        "no countdown once closed: {d}"
    );
    for id in &ids {
        let code =
            c.h.store
                .customer_load(*id)
                .await
                .unwrap()
                .unwrap()
                .row
                .code;
        assert!(r.body.contains(&code), "affected code {code} listed");
    }
    let r = c.get("/console/security/plan", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("72-hour clock"));
    let r = c.get("/console/security/plan", Some(&cs), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_contained_staff_member_is_refused_on_the_next_request() {
    let c = console().await;
    let mut cfg = IdsConfig::default();
    cfg.containment
        .insert("outside_segment".into(), Containment::Suspend);
    c.h.vault.set_ids_config(cfg).unwrap();
    let admin = c.admin().await;
    let m = c
        .in_segments(&admin, Role::CsStaff, "bdg@toko.example", &["bandung"])
        .await;
    assert_eq!(
        c.get("/console/activity", Some(&m), "").await.status,
        StatusCode::OK
    );
    let other = c.customer("Dewi Lain", "-").await;
    for _ in 0..3 {
        let r = c
            .get(&format!("/console/customers/{other}"), Some(&m), "")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // The third refusal fired `outside_segment` with containment: the next request is refused.
    let r = c.get("/console/activity", Some(&m), "").await;
    assert_ne!(r.status, StatusCode::OK, "contained at once");
    // Others keep working.
    assert_eq!(
        c.get("/console/activity", Some(&admin), "").await.status,
        StatusCode::OK
    );
}
