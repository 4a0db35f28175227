//! The vocabulary snapshots in `vocab/`: one test per file.

use openactive::{ActivityList, ConceptList, ConceptRef};

fn vocab(name: &str) -> String {
    std::fs::read_to_string(format!("{}/vocab/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const AL: &str = "https://openactive.io/activity-list#";

fn id(uuid: &str) -> String {
    format!("{AL}{uuid}")
}

#[test]
fn activity_list() {
    let list = ActivityList::from_jsonld(&vocab("activity-list.jsonld")).unwrap();
    assert_eq!(list.len(), 768);
    assert_eq!(list.top_concepts().len(), 146);
    let swimming = id("2750229d-b725-4171-9276-376be913957c");
    let mut names: Vec<_> = list
        .descendants(&swimming)
        .iter()
        .map(|d| list.label(d).unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Aqua Park",
            "Cold Water Swimming",
            "Open Water Swimming",
            "Swimfit",
            "Swimming Lessons",
            "Synchronised Swimming"
        ]
    );
    let count = |uuid: &str| list.descendants(&id(uuid)).len();
    assert_eq!(count("0a5f732d-e806-4e51-ad40-0a7de0239c8c"), 14); // Football
    assert_eq!(count("bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e"), 35); // Yoga
    assert_eq!(count("6ca15167-51da-4d91-a1ae-8a45dc47b0ea"), 90); // Dance
    assert_eq!(count("984068a7-5b7b-4989-bb33-f96953d8960c"), 297); // Group Exercise
    // Walking Football is under Football, not Walking; Aqua Aerobics not under Swimming.
    let wf = id("b8019b67-2ade-406f-a012-91a5c3869652");
    assert!(
        list.descendants(&id("0a5f732d-e806-4e51-ad40-0a7de0239c8c"))
            .contains(&wf.as_str())
    );
    assert!(
        !list
            .descendants(&id("95092977-5a20-4d6e-b312-8fddabe71544"))
            .contains(&wf.as_str())
    );
    let aqua = id("6e31262b-ce37-4fc7-b3e3-d827ac5e8b42");
    assert!(!list.descendants(&swimming).contains(&aqua.as_str()));
    // Labels: notation, prefLabel and altLabel, case-insensitively.
    assert_eq!(list.match_label("aqua_aerobics"), Some(aqua.as_str()));
    assert_eq!(list.match_label("AQUA AEROBICS"), Some(aqua.as_str()));
    assert_eq!(
        list.match_label("Wild Swimming"),
        list.match_label("Open Water Swimming")
    );
    assert_eq!(
        list.match_label("Gym"),
        Some(id("08d9368c-6c6c-44a3-84ef-a42ed00d529a").as_str())
    );
    assert_eq!(list.match_label("no such sport"), None);
    // The 4 dangling `narrower` ids (Medau, Rugby League, Rugby Union) are ignored.
    let medau = id("d101b63b-572f-49d2-a027-d3a5748e6315");
    assert!(
        list.children(&medau)
            .iter()
            .all(|c| list.label(c).is_some())
    );
    assert!(
        list.label(&id("6fc3f706-23d0-4027-bebb-8a7cddb92b34"))
            .is_none()
    );
    assert!(
        list.children(&id("a7f0a364-a496-4446-aec6-594a629353b3"))
            .iter()
            .all(|c| list.label(c).is_some())
    );
    // Poly-hierarchy: Capoeira has two parents.
    let capoeira = list.match_label("Capoeira").unwrap();
    assert_eq!(list.parents(capoeira).len(), 2);
    // Legacy label-only references are resolved to ids.
    let mut refs = vec![
        ConceptRef {
            id: None,
            label: Some("aqua_aerobics".into()),
        },
        ConceptRef {
            id: Some(swimming.clone()),
            label: Some("Old label".into()),
        },
    ];
    assert_eq!(list.resolve_refs(&mut refs), 1);
    assert_eq!(refs[0].id.as_deref(), Some(aqua.as_str()));
    assert_eq!(refs[1].id.as_deref(), Some(swimming.as_str()));
    assert_eq!(list.iter().count(), 768);
}

#[test]
fn accessibility_support() {
    let list = ConceptList::from_jsonld(&vocab("accessibility-support.jsonld")).unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(
        list.label(
            "https://openactive.io/accessibility-support#40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a"
        ),
        Some("Mental health issues")
    );
    assert_eq!(list.iter().next().unwrap().1, "Visual impairment");
}

#[test]
fn facility_types() {
    let list = ConceptList::from_jsonld(&vocab("facility-types.jsonld")).unwrap();
    assert_eq!(list.len(), 35);
    assert_eq!(
        list.label("https://openactive.io/facility-types#9db5681e-700e-4b30-99a5-355885d94db2"),
        Some("Badminton Court")
    );
}

#[test]
fn activity_list_collections() {
    let list = ActivityList::from_jsonld(&vocab("activity-list.jsonld")).unwrap();
    for (file, members) in [
        ("cardio", 159),
        ("holistic", 39),
        ("strength-and-conditioning", 109),
    ] {
        let v: serde_json::Value =
            serde_json::from_str(&vocab(&format!("activity-list-collections/{file}.jsonld")))
                .unwrap();
        let ids = v["member"].as_array().unwrap();
        assert_eq!(ids.len(), members, "{file}");
        let known = ids
            .iter()
            .filter(|i| list.label(i.as_str().unwrap()).is_some())
            .count();
        assert!(
            known * 10 >= members * 9,
            "{file}: {known}/{members} members known"
        );
    }
}

#[test]
fn broken_vocabularies_are_errors() {
    assert!(ActivityList::from_jsonld("not json").is_err());
    assert!(ActivityList::from_jsonld(r#"{"id":"x"}"#).is_err());
    assert!(ConceptList::from_jsonld("42").is_err());
}

#[test]
fn the_accessibility_table_equals_the_shipped_snapshot() {
    let list = ConceptList::from_jsonld(openactive::vocab::ACCESSIBILITY_SUPPORT_JSONLD).unwrap();
    let parsed: Vec<(&str, &str)> = list.iter().collect();
    assert_eq!(parsed, openactive::vocab::ACCESSIBILITY_SUPPORT);
}
