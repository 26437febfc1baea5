//! `hoso bench` walks every dossier to its returned result through the service, on both stores,
//! and prints one JSON line with the figures BENCHMARKS.md records.

use serde_json::Value;

use crate::{hoso, stderr, stdout};

fn bench_on_sqlite() -> Value {
    let output = hoso(&[
        "bench",
        "--store",
        "sqlite",
        "--cases",
        "20",
        "--concurrency",
        "4",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert_eq!(printed.lines().count(), 1, "one JSON line: {printed}");
    serde_json::from_str(printed.trim()).expect("a JSON line")
}

fn check(line: &Value, store: &str) {
    assert_eq!(line["store"], store);
    assert_eq!(line["cases"], 20);
    assert_eq!(line["concurrency"], 4);
    // Six commands per dossier; dossiers 4, 9, 14 and 19 also get a supplement request and a
    // resubmission.
    assert_eq!(line["transitions"], 20 * 6 + 4 * 2, "{line}");
    for key in [
        "seconds",
        "transitions_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "peak_rss_mb",
        "db_bytes_per_dossier",
    ] {
        assert!(
            line[key].as_f64().is_some_and(|value| value > 0.0),
            "{key} in {line}"
        );
    }
    assert!(line["p50_ms"].as_f64() <= line["p99_ms"].as_f64(), "{line}");
}

#[test]
fn the_bench_walks_every_dossier_on_sqlite() {
    check(&bench_on_sqlite(), "sqlite");
}

#[test]
fn the_bench_walks_every_dossier_on_postgres() {
    // The bench creates, and drops, its own database on the server.
    let Some(admin) = crate::postgres_server() else {
        return;
    };
    let output = hoso(&[
        "bench",
        "--store",
        "postgres",
        "--postgres",
        &admin,
        "--cases",
        "20",
        "--concurrency",
        "4",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line: Value = serde_json::from_str(stdout(&output).trim()).expect("a JSON line");
    check(&line, "postgres");
}

fn seeded(store: &str, extra: &[&str]) -> Value {
    let mut args = vec!["bench", "--store", store, "--seed", "600"];
    args.extend_from_slice(extra);
    let output = hoso(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let line: Value = serde_json::from_str(stdout(&output).trim()).expect("a JSON line");
    assert_eq!(line["mode"], "seed");
    assert_eq!(line["dossiers"], 600);
    // One in ten of each unit's dossiers is open: with 250 units, the first 250 of 600.
    assert_eq!(line["open"], 250, "{line}");
    assert_eq!(line["timer_scan_rows"], 100, "{line}");
    assert!(
        line["inbox_rows"].as_u64().is_some_and(|rows| rows >= 1),
        "{line}"
    );
    assert!(
        line["indicator_report_received"]
            .as_u64()
            .is_some_and(|received| received >= 2),
        "{line}"
    );
    for query in ["inbox", "due_timers"] {
        assert!(
            line["plans"][query]
                .as_array()
                .is_some_and(|plan| !plan.is_empty()),
            "{line}"
        );
    }
    line
}

#[test]
fn seeding_times_the_inbox_the_timer_scan_and_the_report_on_sqlite() {
    let plans = seeded("sqlite", &[])["plans"].to_string();
    // SQLite uses the indexes even on a small table; PostgreSQL rightly scans one that small.
    assert!(
        plans.contains("USING INDEX dossiers_inbox") && plans.contains("USING INDEX timers_due"),
        "{plans}"
    );
}

#[test]
fn seeding_times_the_inbox_the_timer_scan_and_the_report_on_postgres() {
    let Some(admin) = crate::postgres_server() else {
        return;
    };
    seeded("postgres", &["--postgres", &admin]);
}
