//! Row mapping between a backend's rows and the core's row types.
//!
//! Ids are read as text: SQLite stores them as text, PostgreSQL's `sql.rs` selects its `uuid`
//! columns with `::text`.

/// Stamps the row mappers (`customer`, `order`, `api_key`, `staff`, `invitation`, `session`,
/// `throttle`) for `crate::DbRow` into the invoking module.
#[macro_export]
macro_rules! rows {
    () => {
        use jaga_core::model::Field;
        use jaga_core::store::{
            ApiKeyRecord, CustomerRow, CustomerWithKey, InvitationRow, OrderRow, SessionRow,
            StaffRow, StoreError, ThrottleRow, WrappedKey,
        };
        use $crate::sqlx::Row as _;
        use $crate::{decode as g, uuid};

        fn id(r: &crate::DbRow, col: &str) -> Result<::uuid::Uuid, StoreError> {
            uuid(&r.try_get::<String, _>(col).map_err(g)?)
        }

        /// A customer with its wrapped key, from `sql::CUSTOMER_SELECT`.
        pub(crate) fn customer(r: &crate::DbRow) -> Result<CustomerWithKey, StoreError> {
            let mut fields: jaga_core::store::EncryptedFields = Default::default();
            for f in Field::ALL {
                fields[f.index()] = r.try_get(f.name()).map_err(g)?;
            }
            let row = CustomerRow {
                id: id(r, "id")?,
                code: r.try_get("code").map_err(g)?,
                segment: r.try_get("segment").map_err(g)?,
                marketing_consent: r.try_get("marketing_consent").map_err(g)?,
                fields,
                email_index: r.try_get("email_index").map_err(g)?,
                phone_index: r.try_get("phone_index").map_err(g)?,
                national_id_index: r.try_get("national_id_index").map_err(g)?,
                version: r.try_get("version").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                updated_at: r.try_get("updated_at").map_err(g)?,
                erased_at: r.try_get("erased_at").map_err(g)?,
            };
            let version: Option<i64> = r.try_get("kek_version").map_err(g)?;
            let wrapped: Option<Vec<u8>> = r.try_get("wrapped").map_err(g)?;
            let key = match (version, wrapped) {
                (Some(v), Some(w)) => Some(WrappedKey {
                    kek_version: $crate::kek_version(v)?,
                    wrapped: w,
                }),
                _ => None,
            };
            Ok(CustomerWithKey { row, key })
        }

        /// An order with its customer's segment, from `sql::ORDERS_OF`.
        pub(crate) fn order(r: &crate::DbRow) -> Result<OrderRow, StoreError> {
            Ok(OrderRow {
                id: id(r, "id")?,
                customer_id: id(r, "customer_id")?,
                segment: r.try_get("segment").map_err(g)?,
                order_ref: r.try_get("order_ref").map_err(g)?,
                status: r.try_get("status").map_err(g)?,
                amount_minor: r.try_get("amount_minor").map_err(g)?,
                currency: r.try_get("currency").map_err(g)?,
                payment: r.try_get("payment").map_err(g)?,
                items: r.try_get("items").map_err(g)?,
                notes: r.try_get("notes").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
            })
        }

        /// An API key, from `sql::API_KEY_SELECT`.
        pub(crate) fn api_key(r: &crate::DbRow) -> Result<ApiKeyRecord, StoreError> {
            Ok(ApiKeyRecord {
                id: r.try_get("id").map_err(g)?,
                name: r.try_get("name").map_err(g)?,
                digest: r.try_get("digest").map_err(g)?,
                scopes: r.try_get("scopes").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                expires_at: r.try_get("expires_at").map_err(g)?,
                revoked_at: r.try_get("revoked_at").map_err(g)?,
                last_used_at: r.try_get("last_used_at").map_err(g)?,
            })
        }

        /// A staff account, from `sql::STAFF_SELECT`.
        pub(crate) fn staff(r: &crate::DbRow) -> Result<StaffRow, StoreError> {
            Ok(StaffRow {
                id: id(r, "id")?,
                email: r.try_get("email").map_err(g)?,
                name: r.try_get("name").map_err(g)?,
                role: r.try_get("role").map_err(g)?,
                segments: r.try_get("segments").map_err(g)?,
                password_hash: r.try_get("password_hash").map_err(g)?,
                totp_secret: r.try_get("totp_secret").map_err(g)?,
                totp_confirmed: r.try_get("totp_confirmed").map_err(g)?,
                totp_last_step: r.try_get("totp_last_step").map_err(g)?,
                agreement_version: r.try_get("agreement_version").map_err(g)?,
                agreement_accepted_at: r.try_get("agreement_accepted_at").map_err(g)?,
                disabled_at: r.try_get("disabled_at").map_err(g)?,
                version: r.try_get("version").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                updated_at: r.try_get("updated_at").map_err(g)?,
            })
        }

        /// An invitation, from `sql::INV_SELECT`.
        pub(crate) fn invitation(r: &crate::DbRow) -> Result<InvitationRow, StoreError> {
            Ok(InvitationRow {
                digest: r.try_get("digest").map_err(g)?,
                id: id(r, "id")?,
                email: r.try_get("email").map_err(g)?,
                role: r.try_get("role").map_err(g)?,
                segments: r.try_get("segments").map_err(g)?,
                created_by: r.try_get("created_by").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                expires_at: r.try_get("expires_at").map_err(g)?,
                used_at: r.try_get("used_at").map_err(g)?,
            })
        }

        /// A console session, from `sql::SESSION_SELECT`.
        pub(crate) fn session(r: &crate::DbRow) -> Result<SessionRow, StoreError> {
            Ok(SessionRow {
                digest: r.try_get("digest").map_err(g)?,
                handle: id(r, "handle")?,
                staff_id: id(r, "staff_id")?,
                state: r.try_get("state").map_err(g)?,
                csrf: r.try_get("csrf").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                last_seen_at: r.try_get("last_seen_at").map_err(g)?,
                step_up_at: r.try_get("step_up_at").map_err(g)?,
                ip: r.try_get("ip").map_err(g)?,
                user_agent: r.try_get("user_agent").map_err(g)?,
            })
        }

        /// A login-throttle counter (`key, failures, last_failure_at`).
        pub(crate) fn throttle(r: &crate::DbRow) -> Result<ThrottleRow, StoreError> {
            Ok(ThrottleRow {
                key: r.try_get("key").map_err(g)?,
                failures: r.try_get("failures").map_err(g)?,
                last_failure_at: r.try_get("last_failure_at").map_err(g)?,
            })
        }
    };
}
