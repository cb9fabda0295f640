//! What a trace costs the server before the store thread sees it: `TraceRow::new` (the
//! storage-form JSON, its LZ4 compression, the search text) on a real `obuk-v3.2`
//! registration trace (`obuk-trace.json`, 27 KB as the admin API serves it). A benchmark,
//! never a test: `cargo bench -p mockbank-store --bench trace_row [-- ITERATIONS]`. It prints
//! the mean wall time per call of each part, and the whole, over the same iterations.

use std::hint::black_box;
use std::time::Instant;

use mockbank_core::jwt::jwts_of_body;
use mockbank_core::trace::{in_storage_form, Trace};
use mockbank_store::bench_api::TraceRow;

fn main() {
    let iterations: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000);
    let mut trace: Trace =
        serde_json::from_str(include_str!("obuk-trace.json")).expect("the fixture is a trace");
    // As the server records them: JWTs its body shows are not kept (they are decoded when
    // the trace is read).
    for record in [&mut trace.request, &mut trace.response] {
        if record.kept_jwts.as_deref() == Some(&jwts_of_body(&record.body)[..]) {
            record.kept_jwts = None;
        }
    }
    let per_call = |f: &mut dyn FnMut()| {
        for _ in 0..iterations / 10 {
            f();
        }
        let t = Instant::now();
        for _ in 0..iterations {
            f();
        }
        t.elapsed().as_secs_f64() * 1e6 / iterations as f64
    };
    let clone = per_call(&mut || {
        black_box(trace.clone());
    });
    let json = in_storage_form(|| serde_json::to_vec(&trace)).unwrap();
    let serialise = per_call(&mut || {
        black_box(in_storage_form(|| serde_json::to_vec(black_box(&trace))).unwrap());
    });
    let compress = per_call(&mut || {
        black_box(lz4_flex::block::compress_prepend_size(black_box(&json)));
    });
    let whole = per_call(&mut || {
        black_box(TraceRow::new(trace.clone()).unwrap());
    });
    let row = TraceRow::new(trace.clone()).unwrap();
    println!("trace_row: {iterations} iterations, mean µs per call");
    println!(
        "  storage-form JSON        {serialise:8.1}  ({} bytes)",
        json.len()
    );
    println!("  LZ4 (no dictionary)      {compress:8.1}");
    println!(
        "  TraceRow::new, whole     {:8.1}  (body {} bytes, search {} bytes; a trace clone, {clone:.1} µs, subtracted)",
        whole - clone,
        row.body.len(),
        row.search.len()
    );
}
