//! The gateway notification readers on arbitrary bodies and headers: never a panic. Each body
//! is also signed correctly (Midtrans over its own fields when it has them, Stripe over the raw
//! bytes, Xendit's token), so the readers behind the signature checks are reached; whatever
//! they accept is a valid event whose id is the delivery identity.
#![no_main]

use jaga_fraud::gateway::{self, Gateway, GatewaySecrets, Headers, Secret, midtrans, stripe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = 1_714_531_300;
    let secrets = GatewaySecrets {
        midtrans: Secret::new("SB-Mid-server-FUZZ"),
        stripe: vec![Secret::new("whsec_fuzz").unwrap()],
        stripe_tolerance_secs: None,
        xendit: Secret::new("xnd-fuzz"),
    };
    let (head, body) = data.split_at(data.len().min(64));
    let garbage = Headers {
        stripe_signature: std::str::from_utf8(head).ok().map(str::to_string),
        xendit_token: std::str::from_utf8(head).ok().map(str::to_string),
    };
    for g in Gateway::ALL {
        let _ = gateway::verify(g, &secrets, &garbage, body, now);
    }
    // Signed correctly.
    let sig = stripe::signature(now, body, &Secret::new("whsec_fuzz").unwrap());
    let signed = Headers {
        stripe_signature: Some(format!("t={now},v1={sig}")),
        xendit_token: Some("xnd-fuzz".into()),
    };
    for g in [Gateway::Stripe, Gateway::Xendit] {
        if let Ok(n) = gateway::verify(g, &secrets, &signed, body, now)
            && let Some(ev) = n.event
        {
            assert!(ev.validate().is_ok());
            assert_eq!(ev.id, n.delivery);
        }
    }
    if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(o) = v.as_object_mut()
    {
        let f = |k: &str| o.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let sig = midtrans::signature(
            &f("order_id"),
            &f("status_code"),
            &f("gross_amount"),
            &Secret::new("SB-Mid-server-FUZZ").unwrap(),
        );
        o.insert("signature_key".into(), serde_json::Value::String(sig));
        let text = serde_json::to_vec(&v).unwrap();
        if let Ok(n) = gateway::verify(Gateway::Midtrans, &secrets, &Headers::default(), &text, now)
            && let Some(ev) = n.event
        {
            assert!(ev.validate().is_ok());
        }
    }
});
