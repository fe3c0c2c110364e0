//! The curator's dashboard (issue 13): what is due in the next two weeks and what is overdue,
//! each with where it is done, overdue first.

use chrono::NaiveDate;
use model::due::{Place, due};
use model::{Event, Meeting, Pair, PairDraft, PersonEntry, RecordId, RoadmapRow, Row};

const NOW: i64 = 1_790_000_000_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn active_pair() -> Pair {
    let mut pair = Pair::from_draft(
        PairDraft {
            programme: "prog".into(),
            mentors: vec!["mentor".into()],
            mentees: vec!["mentee".into()],
            mentee_category: String::new(),
            form: "student-student".into(),
            goal: "Подтянуть математику".into(),
            format: String::new(),
        },
        NOW,
    );
    pair.status = "active".into();
    pair.plan = vec![
        Row::new("Решить вариант ОГЭ").with_period("date:2026-11-30"),
        Row::new("Разобрать проценты").with_period("date:2026-11-10"),
        Row::new("Уже сделано")
            .with_period("date:2026-11-11")
            .with_status("done"),
        Row::new("Весной").with_period("date:2027-03-01"),
    ];
    pair
}

#[test]
fn the_dashboard_lists_what_is_due_and_overdue_with_where_it_is_done() {
    let pair = RecordId::new("pair");
    let pairs = vec![(pair.clone(), active_pair())];
    let meeting = |date: &str| Meeting::new(&pair, "working", date, NOW).unwrap();
    let mut held = meeting("20.11.2026");
    held.held = true;
    let meetings = vec![
        (RecordId::new("past"), meeting("16.11.2026")),
        (RecordId::new("soon"), meeting("27.11.2026")),
        (RecordId::new("later"), meeting("20.12.2026")),
        (RecordId::new("held"), held),
    ];
    let mut done_row = RoadmapRow::new(2, "Приказ о внедрении", "сентябрь", NOW);
    done_row.status = "done".into();
    let roadmap = vec![
        (
            RecordId::new("r1"),
            RoadmapRow::new(
                3,
                "Сформировать базу наставников",
                "сентябрь – октябрь",
                NOW,
            ),
        ),
        (RecordId::new("r2"), done_row),
        (
            RecordId::new("r3"),
            RoadmapRow::new(4, "Провести итоговую конференцию", "май", NOW),
        ),
        (
            RecordId::new("r4"),
            RoadmapRow::new(5, "Отчёт", "В течение года", NOW),
        ),
    ];
    let mut covered = Event::new("networking", "Встреча выпускников", "2026-10-01", NOW).unwrap();
    covered.published = autosurgeon::Text::with_value("сайт школы");
    let events = vec![
        (
            RecordId::new("e1"),
            Event::new("launch", "Старт программы", "2026-09-15", NOW).unwrap(),
        ),
        (RecordId::new("e2"), covered),
        (
            RecordId::new("e3"),
            Event::new("round-table", "Круглый стол", "2026-12-15", NOW).unwrap(),
        ),
    ];
    let people: Vec<(RecordId, PersonEntry)> = vec![];
    let records = model::Records {
        people: &people,
        person: &|_| None,
        pairs: &pairs,
        meetings: &meetings,
        events: &events,
        roadmap: &roadmap,
        today: today(),
    };
    let items = due(&records, today());
    let whats: Vec<&str> = items.iter().map(|d| d.what.as_str()).collect();
    let find = |text: &str| {
        items
            .iter()
            .find(|d| d.what.contains(text))
            .unwrap_or_else(|| panic!("«{text}» in {whats:#?}"))
    };

    // Overdue, first: the meeting nobody marked, the plan item past its date, the roadmap row
    // past its months, the event never covered, and the participants without documents.
    let past = find("от 16 ноября 2026 г.: состоялась ли");
    assert!(past.overdue);
    assert_eq!(past.place, Place::Meeting(RecordId::new("past")));
    assert!(find("«Разобрать проценты» — срок прошёл 10 ноября 2026 г.").overdue);
    let row = find("«Сформировать базу наставников» — срок прошёл 31 октября 2026 г.");
    assert_eq!(row.place, Place::Roadmap);
    assert_eq!(find("«Старт программы»").place, Place::Events);
    let unsigned = find("2 участника работающих пар без подписанного согласия или соглашения");
    assert_eq!(unsigned.place, Place::People);

    // Due soon: the meeting in four days, the plan item in a week, the half-yearly monitoring
    // and the count for the regional centre.
    let soon = find("Встреча «рабочая встреча» — 27 ноября 2026 г.");
    assert!(!soon.overdue);
    let item = find("«Решить вариант ОГЭ» — до 30 ноября 2026 г.");
    assert_eq!(item.place, Place::Pair(pair.clone()));
    find("Мониторинг программы наставничества за полугодие — до 20 декабря 2026 г.");
    let count = find(
        "Численность участников для регионального наставнического центра — до 30 декабря 2026 г.",
    );
    assert_eq!(count.place, Place::Count, "a tap opens the count itself");

    // Not yet, done, undated, or not yet happened: absent.
    for absent in [
        "20 декабря 2026 г.: состоялась",
        "«рабочая встреча» — 20 декабря",
        "Уже сделано",
        "Весной",
        "Приказ о внедрении",
        "итоговую конференцию",
        "Отчёт",
        "Встреча выпускников",
        "Круглый стол",
        "20 мая",
    ] {
        assert!(
            !whats.iter().any(|w| w.contains(absent)),
            "«{absent}» should not be in {whats:#?}"
        );
    }

    // Overdue first, then by date.
    let first_due = items.iter().position(|d| !d.overdue).unwrap();
    assert!(items[..first_due].iter().all(|d| d.overdue));
    assert!(items[first_due..].iter().all(|d| !d.overdue));
    let dates: Vec<_> = items[first_due..].iter().map(|d| d.by).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
}

#[test]
fn a_pair_that_ended_has_nothing_due() {
    let pair = RecordId::new("pair");
    let mut ended = active_pair();
    ended.status = "completed".into();
    let pairs = vec![(pair.clone(), ended)];
    let meetings = vec![(
        RecordId::new("m"),
        Meeting::new(&pair, "final", "16.11.2026", NOW).unwrap(),
    )];
    let records = model::Records {
        people: &[],
        person: &|_| None,
        pairs: &pairs,
        meetings: &meetings,
        events: &[],
        roadmap: &[],
        today: today(),
    };
    let items = due(&records, today());
    assert!(
        items
            .iter()
            .all(|d| !d.what.contains("Индивидуальный план") && !d.what.contains("состоялась")),
        "{items:#?}"
    );
}

#[test]
fn items_of_the_same_name_say_whose_they_are() {
    let pair = RecordId::new("pair");
    let pairs = vec![(pair.clone(), active_pair())];
    let meetings = vec![(
        RecordId::new("m"),
        Meeting::new(&pair, "working", "27.11.2026", NOW).unwrap(),
    )];
    let person = |id: &str| {
        let (last, first) = match id {
            "mentor" => ("Берёзкин", "Степан"),
            "mentee" => ("Озерова", "Яна"),
            _ => return None,
        };
        Some(model::Person {
            last_name: last.into(),
            first_name: first.into(),
            ..model::Person::default()
        })
    };
    let records = model::Records {
        people: &[],
        person: &person,
        pairs: &pairs,
        meetings: &meetings,
        events: &[],
        roadmap: &[],
        today: today(),
    };
    let whats: Vec<String> = due(&records, today()).into_iter().map(|d| d.what).collect();
    assert!(
        whats.contains(
            &"Встреча «рабочая встреча» (Берёзкин С. — Озерова Я.) — 27 ноября 2026 г.".to_owned()
        ),
        "{whats:?}"
    );
    assert!(
        whats.contains(
            &"Индивидуальный план (Берёзкин С. — Озерова Я.): «Решить вариант ОГЭ» — до 30 ноября 2026 г."
                .to_owned()
        ),
        "{whats:?}"
    );
}
