//! Customers and orders.

/// Stamps the customer and order statements (`update`, `order_insert`, `shred_tokens`) and the
/// store's transactional customer methods (`customer_*_impl`, `order*_impl`) for `$store`.
///
/// Writes and audited reads go through the store's group commit ([`group!`](crate::group!)):
/// reads run on the reader pool and only their audit records are queued. Erasure keeps a
/// transaction of its own (it is rare and ends with a backend-specific scrub), run
/// [`detached`](crate::detached) by the port method in [`vault!`](crate::vault).
#[macro_export]
macro_rules! customers {
    ($store:ty) => {
        use crate::group::{Op, Write};
        use crate::rows;
        use jaga_core::audit::{AuditRecord, Outcome};
        use jaga_core::model::Field;
        use jaga_core::store::{
            CustomerRow, CustomerWithKey, OrderRow, StoreError, WrappedKey, read_outcome,
        };
        use uuid::Uuid;

        fn index_column(field: Field) -> Result<&'static str, StoreError> {
            match field {
                Field::Email => Ok("email_index"),
                Field::Phone => Ok("phone_index"),
                Field::NationalId => Ok("national_id_index"),
                _ => Err(StoreError::Database("field has no blind index".into())),
            }
        }

        /// Writes a changed customer row if its version is still `row.version - 1` (inside the
        /// caller's transaction). Under PostgreSQL's READ COMMITTED a concurrent update of the
        /// same row makes the statement wait and then re-check `version` against the committed
        /// row, so exactly one writer wins; SQLite has a single writer anyway.
        pub(crate) async fn update(
            conn: &mut crate::Conn,
            row: &CustomerRow,
            key: Option<&WrappedKey>,
        ) -> Result<(), StoreError> {
            let mut q =
                $crate::sqlx::query(crate::sql::CUSTOMER_UPDATE).bind(row.marketing_consent);
            for f in &row.fields {
                q = q.bind(f.as_deref());
            }
            let done = q
                .bind(row.email_index.as_deref())
                .bind(row.phone_index.as_deref())
                .bind(row.national_id_index.as_deref())
                .bind(row.version)
                .bind(row.updated_at)
                .bind(row.id.to_string())
                .bind(row.version - 1)
                .execute(&mut *conn)
                .await
                .map_err(crate::db)?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Concurrent);
            }
            if let Some(k) = key {
                $crate::sqlx::query(crate::sql::CUSTOMER_KEY_UPDATE)
                    .bind(i64::from(k.kek_version))
                    .bind(&k.wrapped)
                    .bind(row.id.to_string())
                    .execute(&mut *conn)
                    .await
                    .map_err(crate::db)?;
            }
            Ok(())
        }

        /// Inserts an order for a live customer still in the segment its ciphertexts were
        /// sealed for (inside the caller's transaction; else [`StoreError::Concurrent`]). On
        /// PostgreSQL the check takes `FOR SHARE`, holding off a concurrent erasure or move
        /// until this order is committed (or not).
        pub(crate) async fn order_insert(
            conn: &mut crate::Conn,
            row: &OrderRow,
        ) -> Result<(), StoreError> {
            let live = $crate::sqlx::query(crate::sql::CUSTOMER_LIVE)
                .bind(row.customer_id.to_string())
                .bind(&row.segment)
                .fetch_optional(&mut *conn)
                .await
                .map_err(crate::db)?;
            if live.is_none() {
                return Err(StoreError::Concurrent);
            }
            $crate::sqlx::query(crate::sql::ORDER_INSERT)
                .bind(row.id.to_string())
                .bind(row.customer_id.to_string())
                .bind(&row.order_ref)
                .bind(&row.status)
                .bind(row.amount_minor)
                .bind(&row.currency)
                .bind(row.payment.as_deref())
                .bind(&row.items)
                .bind(row.notes.as_deref())
                .bind(row.created_at)
                .execute(&mut *conn)
                .await
                .map_err(crate::db)?;
            Ok(())
        }

        /// Clears an erased customer's token values and fingerprints (inside the erasure
        /// transaction).
        pub(crate) async fn shred_tokens(
            conn: &mut crate::Conn,
            id: Uuid,
            at: i64,
        ) -> Result<(), StoreError> {
            $crate::sqlx::query(crate::sql::TOKENS_SHRED)
                .bind(at)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(crate::db)?;
            Ok(())
        }

        impl $store {
            /// Inserts customers through the group commit.
            pub(crate) async fn customer_insert_impl(
                &self,
                rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
            ) -> Result<(), StoreError> {
                self.group()
                    .submit(Op::new(Write::Insert(rows)))
                    .await
                    .map(|_| ())
            }

            /// Reads a customer from the reader pool; its audit record goes through the group
            /// commit, and nothing is returned until that record is durable.
            pub(crate) async fn customer_get_impl(
                &self,
                sql: &'static str,
                value: String,
                mut audit_rec: AuditRecord,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                let found = $crate::sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .map(|r| rows::customer(&r))
                    .transpose()?;
                audit_rec.outcome = read_outcome(found.as_ref().map(|f| &f.row));
                if let Some(f) = &found {
                    audit_rec.customer_id = Some(f.row.id);
                }
                self.group().submit(Op::audit(vec![audit_rec])).await?;
                Ok(found)
            }

            pub(crate) async fn customer_load_impl(
                &self,
                id: Uuid,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                self.customer_load_sql(crate::sql::CUSTOMER_BY_ID, id.to_string())
                    .await
            }

            /// One customer by `sql` (by id or code), unaudited.
            pub(crate) async fn customer_load_sql(
                &self,
                sql: &'static str,
                value: String,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                $crate::sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .map(|r| rows::customer(&r))
                    .transpose()
            }

            pub(crate) async fn customer_lookup_impl(
                &self,
                field: Field,
                term: Vec<u8>,
                limit: u32,
            ) -> Result<Vec<CustomerWithKey>, StoreError> {
                let col = index_column(field)?;
                let sql = format!(
                    "{} WHERE c.{col} = $1{}",
                    crate::sql::CUSTOMER_SELECT,
                    crate::sql::CUSTOMER_LOOKUP_TAIL
                );
                $crate::sqlx::query(&sql)
                    .bind(term)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(rows::customer)
                    .collect::<Result<Vec<_>, _>>()
            }

            pub(crate) async fn customer_update_impl(
                &self,
                row: CustomerRow,
                key: Option<WrappedKey>,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                self.group()
                    .submit(Op::new(Write::Update(row, key, audit_rec)))
                    .await
                    .map(|_| ())
            }

            /// Crypto-shreds a customer: clears its ciphertexts and blind indexes, its tokens'
            /// values, and deletes its wrapped key, then lets the backend scrub what the
            /// deletion left behind (`dialect::after_erase`).
            pub(crate) async fn customer_erase_impl(
                &self,
                id: Uuid,
                at: i64,
                audit_rec: AuditRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(crate::sql::CUSTOMER_ERASE)
                    .bind(at)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                shred_tokens(&mut tx, id, at).await?;
                $crate::sqlx::query(crate::sql::CUSTOMER_KEY_DELETE)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                crate::audit::append(&mut tx, &[&audit_rec]).await?;
                tx.commit().await.map_err(crate::db)?;
                crate::dialect::after_erase(self.writer()).await;
                Ok(true)
            }

            /// A customer's orders and live tokens, unaudited, from the writer's view (a move
            /// re-reads them inside its transaction anyway).
            pub(crate) async fn customer_sealed_load_impl(
                &self,
                id: Uuid,
            ) -> Result<(Vec<OrderRow>, Vec<jaga_core::store::StoredToken>), StoreError> {
                use $crate::sqlx::Row as _;
                let orders = $crate::sqlx::query(crate::sql::ORDERS_OF)
                    .bind(id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(rows::order)
                    .collect::<Result<Vec<_>, _>>()?;
                let g = $crate::decode;
                let tokens = $crate::sqlx::query(crate::sql::TOKENS_LIVE_OF)
                    .bind(id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(|r| {
                        Ok(jaga_core::store::StoredToken {
                            token: r.try_get("token").map_err(g)?,
                            kind: r.try_get("kind").map_err(g)?,
                            customer_id: Some(id),
                            value: r.try_get("value").map_err(g)?,
                            created_at: r.try_get("created_at").map_err(g)?,
                            erased_at: r.try_get("erased_at").map_err(g)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok((orders, tokens))
            }

            /// Moves a customer to another segment in one transaction of its own: the row
            /// (compare-and-swap on `version`), its wrapped DEK, every order and live token
            /// re-sealed, each checked to be exactly the set the vault re-sealed, then the audit
            /// event. Anything else is [`StoreError::Concurrent`] and nothing is written.
            pub(crate) async fn customer_move_impl(
                &self,
                mv: jaga_core::store::SegmentMove,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let id = mv.row.id.to_string();
                let mut tx = self.begin().await?;
                let mut q = $crate::sqlx::query(crate::sql::CUSTOMER_MOVE).bind(&mv.row.segment);
                for f in &mv.row.fields {
                    q = q.bind(f.as_deref());
                }
                let done = q
                    .bind(mv.row.email_index.as_deref())
                    .bind(mv.row.phone_index.as_deref())
                    .bind(mv.row.national_id_index.as_deref())
                    .bind(mv.row.version)
                    .bind(mv.row.updated_at)
                    .bind(&id)
                    .bind(mv.row.version - 1)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Concurrent);
                }
                let done = $crate::sqlx::query(crate::sql::CUSTOMER_KEY_UPDATE)
                    .bind(i64::from(mv.key.kek_version))
                    .bind(&mv.key.wrapped)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Concurrent);
                }
                for o in &mv.orders {
                    let done = $crate::sqlx::query(crate::sql::ORDER_RESEAL)
                        .bind(o.payment.as_deref())
                        .bind(&o.items)
                        .bind(o.notes.as_deref())
                        .bind(o.id.to_string())
                        .bind(&id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Concurrent);
                    }
                }
                let (orders,): (i64,) = $crate::sqlx::query_as(crate::sql::ORDERS_COUNT)
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                if usize::try_from(orders).ok() != Some(mv.orders.len()) {
                    return Err(StoreError::Concurrent);
                }
                for (token, value) in &mv.tokens {
                    let done = $crate::sqlx::query(crate::sql::TOKEN_RESEAL)
                        .bind(value)
                        .bind(token)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Concurrent);
                    }
                }
                let (tokens,): (i64,) = $crate::sqlx::query_as(crate::sql::TOKENS_LIVE_COUNT)
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(crate::db)?;
                if usize::try_from(tokens).ok() != Some(mv.tokens.len()) {
                    return Err(StoreError::Concurrent);
                }
                crate::audit::append(&mut tx, &[&audit_rec]).await?;
                tx.commit().await.map_err(crate::db)?;
                Ok(())
            }

            pub(crate) async fn order_insert_impl(
                &self,
                row: OrderRow,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                self.group()
                    .submit(Op::new(Write::Order(row, audit_rec)))
                    .await
                    .map(|_| ())
            }

            pub(crate) async fn orders_list_impl(
                &self,
                customer_id: Uuid,
                audit_rec: AuditRecord,
            ) -> Result<Vec<OrderRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::ORDERS_OF)
                    .bind(customer_id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(rows::order)
                    .collect::<Result<Vec<_>, _>>()?;
                self.group().submit(Op::audit(vec![audit_rec])).await?;
                Ok(rows)
            }
        }
    };
}
