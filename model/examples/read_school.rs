//! Benchmark (a program, not a test): how long reading the school's collections takes, for the
//! demo year and five times it, side by side with the way `record::list` read them before (each
//! record looked up again by its key in the collection's map), natively and single-threaded.
//! The browser, at 4× CPU slow-down, takes roughly ten times these figures.
//!
//! Usage: cargo run --release -p model --example read_school
use std::time::Instant;

use automerge::{Automerge, ReadDoc};
use autosurgeon::hydrate_prop;
use chrono::NaiveDate;
use model::{Meeting, Pair, PersonEntry, Programme, Record, RecordId, School};

fn school(times: usize) -> Automerge {
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    School::init(&mut tx, "Школа для замеров").unwrap();
    tx.commit();
    let mut n = 0;
    let today = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    for _ in 0..times {
        let mut tx = doc.transaction();
        let mut next = || {
            n += 1;
            format!("person-{n}")
        };
        model::demo::populate(&mut tx, &mut next, today, 1_790_000_000_000).unwrap();
        tx.commit();
    }
    // As a device holds it: saved and loaded again.
    Automerge::load(&doc.save()).unwrap()
}

/// The old way: every key of the map looked up again.
fn by_key<T: Record>(doc: &Automerge) -> usize {
    let Ok(Some((_, obj))) = doc.get(automerge::ROOT, T::COLLECTION) else {
        return 0;
    };
    let keys: Vec<String> = doc.map_range(&obj, ..).map(|i| i.key.to_string()).collect();
    let mut out: Vec<(RecordId, T)> = Vec::new();
    for key in keys {
        if out.iter().any(|(id, _)| id.as_str() == key) {
            continue;
        }
        let record: T = hydrate_prop(doc, &obj, key.as_str()).unwrap();
        out.push((RecordId::new(key), record));
    }
    out.len()
}

fn ms(f: impl FnOnce() -> usize) -> (f64, usize) {
    let t = Instant::now();
    let n = f();
    (t.elapsed().as_secs_f64() * 1000.0, n)
}

fn row<T: Record>(label: &str, doc: &Automerge) {
    let (old, n_old) = ms(|| by_key::<T>(doc));
    let (new, n) = ms(|| School::list::<T>(doc).unwrap().len());
    assert_eq!(n, n_old, "both read every record");
    println!("{label:<16}{n:>8}{old:>12.1}{new:>12.1}{:>8.1}", old / new);
}

fn main() {
    for times in [1, 5] {
        let t = Instant::now();
        let doc = school(times);
        println!(
            "\n## The demo year × {times}: {} KB saved, made and loaded in {:.0} ms\n",
            doc.save().len() / 1024,
            t.elapsed().as_secs_f64() * 1000.0
        );
        let (load, _) = ms(|| Automerge::load(&doc.save()).map(|_| 1).unwrap());
        println!("load of the school document from one snapshot: {load:.1} ms");
        // As it was stored before increments were compacted when they outgrew the snapshot:
        // the new school's snapshot, then the year as one increment.
        let founded = [doc.get_changes(&[])[0].hash()];
        let mut stored = doc.fork_at(&founded).unwrap().save();
        stored.extend(doc.save_after(&founded));
        let (tail, _) = ms(|| Automerge::load(&stored).map(|_| 1).unwrap_or(0));
        println!(
            "load from a small snapshot and the year as an increment: {tail:.1} ms ({:.1}× the snapshot's)\n",
            tail / load
        );
        println!(
            "{:<16}{:>8}{:>12}{:>12}{:>8}",
            "collection", "records", "by key ms", "list ms", "ratio"
        );
        row::<Meeting>("meetings", &doc);
        row::<Pair>("pairs", &doc);
        row::<PersonEntry>("register", &doc);
        row::<Programme>("programmes", &doc);
        let (_, meetings) = doc
            .get(automerge::ROOT, Meeting::COLLECTION)
            .unwrap()
            .unwrap();
        let objs: Vec<automerge::ObjId> = doc.map_range(&meetings, ..).map(|i| i.id()).collect();
        let (scan, n) = ms(|| objs.iter().map(|o| doc.map_range(o, ..).count()).sum());
        let keys: Vec<(automerge::ObjId, Vec<String>)> = objs
            .iter()
            .map(|o| (o.clone(), doc.keys(o).collect()))
            .collect();
        let (gets, g) = ms(|| {
            keys.iter()
                .map(|(o, ks)| {
                    ks.iter()
                        .filter(|k| doc.get(o, k.as_str()).unwrap().is_some())
                        .count()
                })
                .sum()
        });
        println!(
            "meetings: one map_range per meeting {scan:.1} ms ({n} values); a get per value {gets:.1} ms ({g})"
        );
    }
}
