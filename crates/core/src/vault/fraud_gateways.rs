//! Payment-gateway notifications (Midtrans, Stripe, Xendit): verified with the shop's secrets,
//! refused and audited when forged, stale or unsigned, otherwise scored and stored like any
//! event. A replay of a genuine notification is the same event (its id is the gateway's
//! delivery identity) and gets the stored decision back. Refunds, chargebacks and early fraud
//! warnings are recorded against the earlier payment of the same order or charge (Xendit: the
//! invoice or payment a refund or dispute names).

use super::Vault;
use super::fraud::{Item, label_rows};
use crate::audit::{AuditAction, AuditRecord, Outcome as AuditOutcome};
use crate::auth::Caller;
use crate::error::CoreError;
use jaga_fraud::Outcome;
use jaga_fraud::gateway::{self, Effect, Gateway, GatewaySecrets, Headers, VerifyError};
use jaga_i18n::Lang;
use std::sync::Arc;

/// What became of an accepted notification.
#[derive(Debug, Clone)]
pub struct WebhookAck {
    /// The gateway's delivery identity (`stripe:evt_…`, `midtrans:<transaction>:<status>`).
    pub delivery: String,
    /// `scored` (a new event), `duplicate` (seen before: the stored decision), `labelled` (an
    /// early fraud warning or a lost Xendit dispute: earlier events labelled, no event of its
    /// own) or `ignored` (a
    /// notification type the fraud monitor does not read).
    pub status: &'static str,
    /// The decision on the event, when there is one.
    pub outcome: Option<Outcome>,
    /// How many earlier events were labelled or marked by this notification.
    pub labelled: usize,
}

impl Vault {
    /// Sets the gateways' secrets (`[gateways.*]`; read from files by the binary).
    pub fn set_fraud_gateways(&self, secrets: GatewaySecrets) {
        *self.fraud.gateways.write().expect("gateways lock") = Some(Arc::new(secrets));
    }

    fn fraud_gateways(&self) -> Arc<GatewaySecrets> {
        self.fraud
            .gateways
            .read()
            .expect("gateways lock")
            .clone()
            .unwrap_or_default()
    }

    /// Verifies a notification from `gateway` (the raw body as received) and, if genuine,
    /// scores and stores the event it describes. A forged, stale or unsigned notification is
    /// audited (`fraud.webhook`, denied, with the gateway and the reason) and refused with
    /// [`CoreError::Unauthenticated`]; a gateway without a configured secret with
    /// [`CoreError::NotFound`]; a genuine notification Jaga cannot read with
    /// [`CoreError::Invalid`].
    pub async fn fraud_webhook(
        &self,
        gateway: Gateway,
        headers: &Headers,
        body: &[u8],
        request_id: Option<String>,
    ) -> Result<WebhookAck, CoreError> {
        let secrets = self.fraud_gateways();
        let now = crate::now_ms() / 1000;
        let n = match gateway::verify(gateway, &secrets, headers, body, now) {
            Ok(n) => n,
            Err(e) => {
                let caller =
                    Caller::component(&format!("webhook.{}", gateway.as_str()), request_id);
                let record = AuditRecord::new(&caller, AuditAction::FraudWebhook)
                    .outcome(match e {
                        VerifyError::Malformed(_) => AuditOutcome::Rejected,
                        _ => AuditOutcome::Denied,
                    })
                    .fields([
                        format!("gateway:{}", gateway.as_str()),
                        format!("reason:{}", e.code()),
                    ]);
                self.audit(record).await?;
                return Err(match e {
                    VerifyError::NotConfigured => CoreError::NotFound,
                    VerifyError::Malformed(why) => CoreError::invalid("body", "malformed", why),
                    _ => CoreError::Unauthenticated,
                });
            }
        };
        let keys = self.keys()?;
        let Some(event) = n.event else {
            // Labels without an event of their own: Stripe's early fraud warning, Xendit's
            // lost dispute (its chargeback event came when the dispute was opened).
            if matches!(n.effect, Effect::FraudWarning | Effect::Chargeback) {
                let earlier = self
                    .fraud_targets(&n.targets, &[], &[], time::OffsetDateTime::now_utc())
                    .await?;
                let labels = label_rows(&earlier, n.effect, &n.delivery, crate::now_ms());
                let count = labels.len();
                if !labels.is_empty() {
                    self.store
                        .fraud_record(Vec::new(), Vec::new(), Vec::new(), labels)
                        .await?;
                }
                return Ok(WebhookAck {
                    delivery: n.delivery,
                    status: "labelled",
                    outcome: None,
                    labelled: count,
                });
            }
            return Ok(WebhookAck {
                delivery: n.delivery,
                status: "ignored",
                outcome: None,
                labelled: 0,
            });
        };
        let item = Item {
            event,
            refs: n.refs,
            effect: n.effect,
            targets: n.targets,
        };
        let mut out = self
            .fraud_score_items(&keys, vec![item], Lang::default())
            .await?;
        let (outcome, fresh) = out.pop().ok_or(CoreError::Integrity)?;
        Ok(WebhookAck {
            delivery: n.delivery,
            status: if fresh { "scored" } else { "duplicate" },
            outcome: Some(outcome),
            labelled: 0,
        })
    }
}
