//! The unit directory and the per-unit projections: consultations waiting in the consulted
//! unit's inbox, units and routes saved and read whole, the dossiers a unit handled.

use hoso_engine::case::{Command, Directory, Retirement, Route, UnitEntry, UnitId, UnitLevel};
use hoso_engine::ports::{Dossiers, Store, Units};

use crate::harness::{World, action, officer, unit};

crate::conformance_everywhere!(a_consultation_waits_in_the_consulted_units_inbox_until_answered);
mod on_sql {
    crate::conformance!(
        units_and_routes_are_saved_together_and_read_whole,
        a_unit_handles_the_dossiers_it_received_or_held,
    );
    use super::*;
}

fn code(text: &str) -> UnitId {
    UnitId::parse(text).expect("unit code")
}

async fn a_consultation_waits_in_the_consulted_units_inbox_until_answered<S: Store>(
    world: World<S>,
) {
    let dossier = world.received_birth().await;
    world
        .act(
            &dossier,
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:20:00+07:00",
        )
        .await
        .expect("forwarded");
    let police = code("000.00.18.H21");
    let store = world.service.store();
    assert!(
        store
            .consultations_for(&police, 50)
            .await
            .expect("read")
            .is_empty()
    );
    world
        .act(
            &dossier,
            officer("tu_phap"),
            Command::Consult {
                unit: police.clone(),
                question: "Xác minh nơi cư trú?".to_owned(),
            },
            "2025-03-03T09:30:00+07:00",
        )
        .await
        .expect("consulted");
    let waiting = store.consultations_for(&police, 50).await.expect("read");
    assert_eq!(
        waiting
            .iter()
            .map(|row| row.code.clone())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&dossier)
    );
    assert!(
        store
            .consultations_for(&unit(), 50)
            .await
            .expect("read")
            .is_empty(),
        "the asking unit is not asked"
    );
    let answer = hoso_engine::case::Actor::officer("police-1", "cong_an", police.clone());
    world
        .act(
            &dossier,
            answer,
            Command::AnswerConsultation {
                consultation: 0,
                answer: "Đúng địa chỉ".to_owned(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await
        .expect("answered");
    assert!(
        store
            .consultations_for(&police, 50)
            .await
            .expect("read")
            .is_empty()
    );
}

fn entry(text: &str, parent: Option<&str>) -> UnitEntry {
    UnitEntry {
        code: code(text),
        name: format!("Đơn vị {text}"),
        parent: parent.map(code),
        level: Some(UnitLevel::Commune),
        valid_from: Some("2025-07-01".parse().expect("date")),
        place: None,
        retired: None,
    }
}

async fn units_and_routes_are_saved_together_and_read_whole(world: World) {
    let store = world.service.store();
    assert_eq!(store.directory().await.expect("read"), Directory::default());
    let mut retired = entry("000.00.18.H21", Some("000.00.17.H21"));
    retired.retired = Some(Retirement {
        from: "2026-12-10".parse().expect("date"),
        successor: code("000.00.19.H21"),
    });
    let units = [
        entry("000.00.17.H21", None),
        retired,
        entry("000.00.19.H21", None),
    ];
    let routes = [Route {
        receiving: code("000.00.17.H21"),
        kind: "cong_an_xa".to_owned(),
        unit: code("000.00.18.H21"),
    }];
    let now = crate::harness::at("2026-12-01T09:00:00+07:00");
    store.save_units(&units, &routes, now).await.expect("saved");
    let read = store.directory().await.expect("read");
    assert_eq!(read, Directory::from_parts(units.to_vec(), routes.to_vec()));
    // Saving again replaces: a renamed unit, a re-pointed route.
    let mut renamed = entry("000.00.17.H21", None);
    renamed.name = "UBND xã Tân Lập".to_owned();
    let moved = Route {
        unit: code("000.00.19.H21"),
        ..routes[0].clone()
    };
    store
        .save_units(
            std::slice::from_ref(&renamed),
            std::slice::from_ref(&moved),
            now,
        )
        .await
        .expect("saved");
    let read = store.directory().await.expect("read");
    assert_eq!(read.units().count(), 3);
    assert_eq!(read.name_of(&code("000.00.17.H21")), "UBND xã Tân Lập");
    assert_eq!(read.routes().collect::<Vec<_>>(), [moved]);
    assert_eq!(
        read.current(&code("000.00.18.H21"), "2026-12-10".parse().expect("date")),
        code("000.00.19.H21")
    );
}

async fn a_unit_handles_the_dossiers_it_received_or_held(world: World) {
    let dossier = world.received_birth().await;
    let store = world.service.store();
    let handled = |unit: &'static str| {
        let store = store.clone();
        async move { store.codes_handled_by(unit).await.expect("read") }
    };
    assert_eq!(
        handled("000.00.17.H21").await,
        std::slice::from_ref(&dossier)
    );
    assert!(handled("000.00.18.H21").await.is_empty());
    // A stay elsewhere (as a route would make) is recorded with the projection.
    let mut case = store.load(&dossier).await.expect("read").expect("stored");
    case.visits[0].unit = code("000.00.18.H21");
    store
        .replace_projection(&case, None)
        .await
        .expect("rewritten");
    assert_eq!(
        handled("000.00.18.H21").await,
        std::slice::from_ref(&dossier)
    );
    assert_eq!(handled("000.00.17.H21").await, [dossier]);
}
