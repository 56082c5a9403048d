//! Per-segment databases on PostgreSQL: three databases (main, `vip`, `b2b`) behind one routing
//! store (the suite is `jaga_testkit::conformance_segment_dbs`).

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_databases_keep_customers_apart() {
    let (Some(main), Some(vip), Some(b2b)) = (
        common::fresh().await,
        common::fresh().await,
        common::fresh().await,
    ) else {
        return;
    };
    jaga_testkit::conformance_segment_dbs::segment_databases_keep_customers_apart(main, vip, b2b)
        .await;
}
