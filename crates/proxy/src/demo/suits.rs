//! EMD UK `specialRequirements` tags on some demo series, in the varied forms real feeds use
//! (full concept objects with an `http` id, `@id`/`@type` with `https`, bare id strings, bare
//! labels in other spellings, the singular key, a tag outside the list), so the "Suitable for"
//! filter and the pathway collections can be tried offline. No random draws: the rest of the
//! demo's bytes do not move.

use serde_json::{Value, json};

/// The list's own id prefix.
const EMDUK: &str = "http://data.emduk.org/special-requirements#";
const SCHEME: &str = "http://data.emduk.org/special-requirements/special-requirements.jsonld";

/// (template name, tags as (uuid, label)); an empty uuid is a tag outside the list.
const TAGS: &[(&str, &[(&str, &str)])] = &[
    (
        "Chair-based Exercise",
        &[
            ("2fa48dbf-0165-433c-9b15-604afb5248b3", "Chair based"),
            ("c4bceff4-39a5-4e39-b16a-873ed79bc498", "GP Referral"),
        ],
    ),
    (
        "Tai Chi for Health",
        &[
            ("f5c631fc-51d8-4252-89c4-e5a6e17bbfd9", "Parkinsons"),
            ("b079c5db-44d9-4bf5-936d-8ac0b1ea31e7", "Stroke"),
        ],
    ),
    (
        "Health Walk",
        &[
            ("c4bceff4-39a5-4e39-b16a-873ed79bc498", "GP Referral"),
            ("06b78897-6efa-431f-b76b-382de3a6b05f", "Weight Management"),
        ],
    ),
    (
        "Over 60s Circuits",
        &[
            (
                "15caac99-83b7-4963-8ec0-183050779a3d",
                "Cardiac Rehabilitation",
            ),
            ("c4bceff4-39a5-4e39-b16a-873ed79bc498", "GP Referral"),
        ],
    ),
    (
        "Gentle Yoga",
        &[
            ("56ec6bb7-2272-4c7b-970f-d1af7bf94269", "Back care"),
            ("2fa48dbf-0165-433c-9b15-604afb5248b3", "Chair based"),
        ],
    ),
    (
        "Gentle Aqua Aerobics for over 60s",
        &[
            ("56ec6bb7-2272-4c7b-970f-d1af7bf94269", "Back care"),
            ("2eba5bcc-ac8b-4d1b-beeb-d62bb10e7a0d", "Osteoporosis"),
        ],
    ),
    (
        "Pilates for Beginners",
        &[
            ("60bd020e-13a7-4e00-890e-89d6ad157083", "Post Natal"),
            ("56ec6bb7-2272-4c7b-970f-d1af7bf94269", "Back care"),
        ],
    ),
    (
        "Walking Football for over 50s",
        &[
            ("06b78897-6efa-431f-b76b-382de3a6b05f", "Weight Management"),
            ("", "Menopause support"),
        ],
    ),
    (
        "Women-only Swim",
        &[("88ce3d1a-b49c-4edc-a24e-8c3a29dbc4f3", "Pregnancy")],
    ),
];

/// Labels as publishers type them when they give no id.
fn typed(label: &str) -> &str {
    match label {
        "Chair based" => "Chair Based",
        "GP Referral" => "GP referral",
        "Parkinsons" => "Parkinson's",
        "Post Natal" => "post natal",
        other => other,
    }
}

/// The tags of a series of this template, as (key, value), in one of five forms chosen by the
/// series number; `None` for templates without tags.
pub(super) fn tags(template: &str, series_number: u64) -> Option<(&'static str, Value)> {
    let tags = TAGS.iter().find(|(t, _)| *t == template)?.1;
    let form = series_number % 5;
    let one = |(uuid, label): &(&str, &str)| -> Value {
        if uuid.is_empty() {
            return json!(label);
        }
        match form {
            0 => {
                json!({"type": "Concept", "id": format!("{EMDUK}{uuid}"), "prefLabel": label, "inScheme": SCHEME})
            }
            1 => {
                json!({"@type": "Concept", "@id": format!("https://data.emduk.org/special-requirements#{uuid}"), "prefLabel": label})
            }
            2 => json!(format!("{EMDUK}{uuid}")),
            _ => json!(typed(label)),
        }
    };
    let key = match form {
        0 | 2 => "emduk:specialRequirements",
        1 => "beta:specialRequirements",
        3 => "specialRequirements",
        _ => "emduk:specialRequirement",
    };
    let values: Vec<Value> = tags.iter().map(one).collect();
    Some((key, Value::Array(values)))
}
