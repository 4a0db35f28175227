//! Deterministic demo publisher data: three fictional London operators publishing split
//! SessionSeries + ScheduledSession RPDE feeds in OpenActive 2.0 shape, with real Activity List
//! and Accessibility Support ids. From the default size up, two of them also publish split
//! FacilityUse + Slot feeds (courts, pitches, pool lanes to hire) with Facility Types ids. Same
//! seed, `today` and base URL give identical bytes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// The Activity List snapshot shipped with the app.
pub const ACTIVITY_LIST: &str = openactive::vocab::ACTIVITY_LIST_JSONLD;
/// The Accessibility Support snapshot.
pub const ACCESSIBILITY_SUPPORT: &str = openactive::vocab::ACCESSIBILITY_SUPPORT_JSONLD;
/// The Facility Types snapshot.
pub const FACILITY_TYPES: &str = openactive::vocab::FACILITY_TYPES_JSONLD;

/// The fixed seed of the demo.
pub const DEMO_SEED: u64 = 20_261_123;
/// Default number of series (across all publishers).
pub const DEFAULT_SERIES: usize = 300;
/// The "small" size.
pub const SMALL_SERIES: usize = 30;

/// One demo publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPublisher {
    /// Path segment, e.g. `riverside`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Organisation website stand-in (fictional, `.example`).
    pub website: &'static str,
}

/// The three fictional publishers.
pub const PUBLISHERS: [DemoPublisher; 3] = [
    DemoPublisher {
        slug: "riverside",
        name: "Demo: Riverside Leisure",
        website: "https://riverside-leisure.example/",
    },
    DemoPublisher {
        slug: "parkside",
        name: "Demo: Parkside Community Sport",
        website: "https://parkside-sport.example/",
    },
    DemoPublisher {
        slug: "northgate",
        name: "Demo: Northgate Active Trust",
        website: "https://northgate-active.example/",
    },
];

/// `--demo-size london`: a marker outside the numeric sizes (see [`generate_sized`]).
pub const LONDON_SIZE: usize = usize::MAX;
/// London size: series across all publishers (before quirks).
pub const LONDON_SERIES: usize = 5_000;
/// London size: venues.
pub const LONDON_VENUES: usize = 2_000;
/// London size: the upcoming occurrences aimed at over the 28 days.
pub const LONDON_OCCURRENCES: usize = 100_000;

/// The twenty fictional publishers of the London size (the first three are [`PUBLISHERS`]).
pub const LONDON_PUBLISHERS: [DemoPublisher; 20] = [
    PUBLISHERS[0],
    PUBLISHERS[1],
    PUBLISHERS[2],
    DemoPublisher {
        slug: "eastway",
        name: "Demo: Eastway Leisure Trust",
        website: "https://eastway-leisure.example/",
    },
    DemoPublisher {
        slug: "hollybrook",
        name: "Demo: Hollybrook Sports Club",
        website: "https://hollybrook-sports.example/",
    },
    DemoPublisher {
        slug: "ashgrove",
        name: "Demo: Ashgrove Community Association",
        website: "https://ashgrove-community.example/",
    },
    DemoPublisher {
        slug: "millbrook",
        name: "Demo: Millbrook Swim School",
        website: "https://millbrook-swim.example/",
    },
    DemoPublisher {
        slug: "elmfield",
        name: "Demo: Elmfield Active Ageing",
        website: "https://elmfield-active.example/",
    },
    DemoPublisher {
        slug: "brookvale",
        name: "Demo: Brookvale Youth Football",
        website: "https://brookvale-youth.example/",
    },
    DemoPublisher {
        slug: "oakhurst",
        name: "Demo: Oakhurst Racquets",
        website: "https://oakhurst-racquets.example/",
    },
    DemoPublisher {
        slug: "larkspur",
        name: "Demo: Larkspur Yoga Collective",
        website: "https://larkspur-yoga.example/",
    },
    DemoPublisher {
        slug: "cedarwood",
        name: "Demo: Cedarwood Fitness",
        website: "https://cedarwood-fitness.example/",
    },
    DemoPublisher {
        slug: "foxley",
        name: "Demo: Foxley Running Club",
        website: "https://foxley-running.example/",
    },
    DemoPublisher {
        slug: "kestrel",
        name: "Demo: Kestrel Martial Arts",
        website: "https://kestrel-martial-arts.example/",
    },
    DemoPublisher {
        slug: "wrenfield",
        name: "Demo: Wrenfield Parks Sport",
        website: "https://wrenfield-parks.example/",
    },
    DemoPublisher {
        slug: "bramley",
        name: "Demo: Bramley Dance Studio",
        website: "https://bramley-dance.example/",
    },
    DemoPublisher {
        slug: "thornbury",
        name: "Demo: Thornbury Health Walks",
        website: "https://thornbury-walks.example/",
    },
    DemoPublisher {
        slug: "greenacre",
        name: "Demo: Greenacre Netball League",
        website: "https://greenacre-netball.example/",
    },
    DemoPublisher {
        slug: "silverdale",
        name: "Demo: Silverdale Leisure Centres",
        website: "https://silverdale-leisure.example/",
    },
    DemoPublisher {
        slug: "quayside",
        name: "Demo: Quayside Water Sports",
        website: "https://quayside-water.example/",
    },
];

/// One RPDE item as the demo publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoItem {
    /// RPDE id as JSON text (`"riverside-ss-00001"` or `100001`).
    pub id_json: String,
    /// Ordering key: timestamp (series) or change number (sessions).
    pub modified: i64,
    /// Kind.
    pub kind: &'static str,
    /// The item's `data` serialised exactly as published; `None` for deletions.
    pub data: Option<String>,
    /// For series: the id string used in `afterId`.
    pub id_text: String,
}

impl DemoItem {
    /// The item rendered as an RPDE item object.
    pub fn render(&self) -> String {
        match &self.data {
            Some(d) => format!(
                "{{\"state\":\"updated\",\"kind\":\"{}\",\"id\":{},\"modified\":{},\"data\":{}}}",
                self.kind, self.id_json, self.modified, d
            ),
            None => format!(
                "{{\"state\":\"deleted\",\"kind\":\"{}\",\"id\":{},\"modified\":{}}}",
                self.kind, self.id_json, self.modified
            ),
        }
    }
}

/// The feeds of one publisher, items in RPDE order.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFeeds {
    /// The publisher.
    pub publisher: DemoPublisher,
    /// SessionSeries items ordered by (modified, id).
    pub series: Vec<DemoItem>,
    /// ScheduledSession items ordered by change number.
    pub sessions: Vec<DemoItem>,
    /// FacilityUse items ordered by (modified, id); empty when the publisher has no facilities.
    pub facility_uses: Vec<DemoItem>,
    /// Slot items (of those FacilityUses) ordered by change number.
    pub slots: Vec<DemoItem>,
}

impl DemoFeeds {
    fn new(publisher: DemoPublisher) -> Self {
        DemoFeeds {
            publisher,
            series: Vec::new(),
            sessions: Vec::new(),
            facility_uses: Vec::new(),
            slots: Vec::new(),
        }
    }
    /// Whether the publisher has FacilityUse and Slot feeds.
    pub fn has_facilities(&self) -> bool {
        !self.facility_uses.is_empty()
    }
}

/// All demo data.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    /// Base URL (no trailing slash) that `@id`s and dataset pages live under.
    pub base_url: String,
    /// One entry per publisher.
    pub publishers: Vec<DemoFeeds>,
}

struct Borough {
    name: &'static str,
    area: &'static str,
    outward: &'static str,
    lat: f64,
    lon: f64,
}

const fn b(
    name: &'static str,
    area: &'static str,
    outward: &'static str,
    lat: f64,
    lon: f64,
) -> Borough {
    Borough {
        name,
        area,
        outward,
        lat,
        lon,
    }
}

/// The 32 London boroughs and the City of London, with an outward code and centre.
const BOROUGHS: [Borough; 33] = [
    b("Barking and Dagenham", "Barking", "IG11", 51.5362, 0.0809),
    b("Barnet", "North Finchley", "N12", 51.6130, -0.1770),
    b("Bexley", "Bexleyheath", "DA6", 51.4549, 0.1505),
    b("Brent", "Wembley", "HA9", 51.5588, -0.2817),
    b("Bromley", "Bromley", "BR1", 51.4039, 0.0198),
    b("Camden", "Camden Town", "NW1", 51.5390, -0.1426),
    b("City of London", "Barbican", "EC2Y", 51.5200, -0.0940),
    b("Croydon", "Croydon", "CR0", 51.3762, -0.0982),
    b("Ealing", "Ealing", "W5", 51.5130, -0.3089),
    b("Enfield", "Enfield Town", "EN1", 51.6523, -0.0807),
    b("Greenwich", "Greenwich", "SE10", 51.4826, -0.0077),
    b("Hackney", "Hackney Central", "E8", 51.5450, -0.0553),
    b(
        "Hammersmith and Fulham",
        "Hammersmith",
        "W6",
        51.4927,
        -0.2339,
    ),
    b("Haringey", "Tottenham", "N17", 51.5975, -0.0681),
    b("Harrow", "Harrow", "HA1", 51.5806, -0.3420),
    b("Havering", "Romford", "RM1", 51.5812, 0.1837),
    b("Hillingdon", "Uxbridge", "UB8", 51.5441, -0.4760),
    b("Hounslow", "Hounslow", "TW3", 51.4678, -0.3615),
    b("Islington", "Islington", "N1", 51.5362, -0.1033),
    b(
        "Kensington and Chelsea",
        "Kensington",
        "W8",
        51.5010,
        -0.1920,
    ),
    b("Kingston upon Thames", "Kingston", "KT1", 51.4123, -0.3007),
    b("Lambeth", "Brixton", "SW9", 51.4627, -0.1145),
    b("Lewisham", "Lewisham", "SE13", 51.4615, -0.0101),
    b("Merton", "Wimbledon", "SW19", 51.4214, -0.2064),
    b("Newham", "Stratford", "E15", 51.5416, 0.0030),
    b("Redbridge", "Ilford", "IG1", 51.5590, 0.0741),
    b("Richmond upon Thames", "Richmond", "TW9", 51.4613, -0.3037),
    b("Southwark", "Peckham", "SE15", 51.4700, -0.0693),
    b("Sutton", "Sutton", "SM1", 51.3618, -0.1945),
    b("Tower Hamlets", "Stepney", "E1", 51.5150, -0.0550),
    b("Waltham Forest", "Walthamstow", "E17", 51.5886, -0.0118),
    b("Wandsworth", "Wandsworth", "SW18", 51.4571, -0.1910),
    b("Westminster", "Pimlico", "SW1V", 51.4890, -0.1400),
];

/// Number of London local authority areas (for tests).
pub const BOROUGH_COUNT: usize = BOROUGHS.len();

/// Names of all boroughs (for tests).
pub fn borough_names() -> Vec<&'static str> {
    BOROUGHS.iter().map(|b| b.name).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VenueKind {
    LeisureCentre,
    CommunityCentre,
    Park,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Adults,
    Seniors,
    Over50s,
    Kids,
    Everyone,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sex {
    Any,
    Female,
    Male,
}

struct Template {
    name: &'static str,
    activity: &'static str,
    venues: &'static [VenueKind],
    minutes: i64,
    audience: Audience,
    sex: Sex,
    level: &'static str,
    equipment: &'static str,
    description: &'static str,
}

use Audience::*;
use Sex::*;
use VenueKind::*;

const LC: &[VenueKind] = &[LeisureCentre];
const HALL: &[VenueKind] = &[LeisureCentre, CommunityCentre];
const OUT: &[VenueKind] = &[Park];
const COURT: &[VenueKind] = &[LeisureCentre, Park];

// A table row constructor: one argument per column keeps the table readable.
#[allow(clippy::too_many_arguments)]
const fn t(
    name: &'static str,
    activity: &'static str,
    venues: &'static [VenueKind],
    minutes: i64,
    audience: Audience,
    sex: Sex,
    level: &'static str,
    equipment: &'static str,
    description: &'static str,
) -> Template {
    Template {
        name,
        activity,
        venues,
        minutes,
        audience,
        sex,
        level,
        equipment,
        description,
    }
}

const TEMPLATES: &[Template] = &[
    t(
        "Beginners Swimming",
        "Swimming",
        LC,
        45,
        Adults,
        Any,
        "Beginner",
        "Swimwear, towel and goggles.",
        "Build water confidence and learn basic strokes with a friendly instructor in the shallow end.",
    ),
    t(
        "Lane Swimming",
        "Swimming",
        LC,
        60,
        Adults,
        Any,
        "All levels",
        "Swimwear, towel and goggles.",
        "Slow, medium and fast lanes. Swim at your own pace.",
    ),
    t(
        "Women-only Swim",
        "Swimming",
        LC,
        60,
        Adults,
        Female,
        "All levels",
        "Swimwear and towel. Burkinis welcome.",
        "A relaxed swim with female lifeguards and covered windows.",
    ),
    t(
        "Family Fun Swim",
        "Swimming",
        LC,
        60,
        Everyone,
        Any,
        "All levels",
        "Swimwear and towel.",
        "Floats and toys in the pool. Children under 8 must be accompanied in the water by an adult.",
    ),
    t(
        "Over 60s Swim",
        "Swimming",
        LC,
        60,
        Seniors,
        Any,
        "All levels",
        "Swimwear and towel.",
        "A quieter pool session for older adults, with a cuppa afterwards.",
    ),
    t(
        "Kids Swimming Lessons (5-11)",
        "Swimming Lessons",
        LC,
        30,
        Kids,
        Any,
        "Beginner",
        "Swimwear, towel and goggles.",
        "Small-group lessons following the national swimming framework.",
    ),
    t(
        "Gentle Aqua Aerobics for over 60s",
        "Aqua Aerobics",
        LC,
        45,
        Seniors,
        Any,
        "Beginner",
        "Swimwear and towel.",
        "Low-impact exercise in the water: kind to joints, good for balance.",
    ),
    t(
        "Aqua Fit",
        "Aqua Fit",
        LC,
        45,
        Adults,
        Any,
        "All levels",
        "Swimwear and towel.",
        "A lively workout in the pool set to music.",
    ),
    t(
        "Yoga for Beginners",
        "Yoga",
        HALL,
        60,
        Adults,
        Any,
        "Beginner",
        "A yoga mat if you have one; mats are available.",
        "Learn the basic postures and breathing in a calm, welcoming class.",
    ),
    t(
        "Gentle Yoga",
        "Yoga",
        HALL,
        60,
        Over50s,
        Any,
        "Beginner",
        "Comfortable clothes. Mats provided.",
        "Slow stretches and relaxation, suitable if you are new to exercise.",
    ),
    t(
        "Women-only Yoga",
        "Yoga",
        HALL,
        60,
        Adults,
        Female,
        "All levels",
        "A yoga mat if you have one.",
        "A supportive women-only class with a female teacher.",
    ),
    t(
        "Mat Pilates",
        "Pilates",
        HALL,
        50,
        Adults,
        Any,
        "Intermediate",
        "A mat and water bottle.",
        "Core strength, posture and flexibility.",
    ),
    t(
        "Pilates for Beginners",
        "Pilates",
        HALL,
        50,
        Adults,
        Any,
        "Beginner",
        "Comfortable clothes. Mats provided.",
        "An introduction to Pilates at a gentle pace.",
    ),
    t(
        "Zumba Fitness",
        "Zumba®",
        HALL,
        60,
        Adults,
        Any,
        "All levels",
        "Trainers and a water bottle.",
        "Latin-inspired dance workout. No experience needed.",
    ),
    t(
        "Boxing Fitness",
        "Boxing Fitness",
        HALL,
        60,
        Adults,
        Any,
        "Intermediate",
        "Trainers, water. Gloves provided.",
        "Pad work, skipping and circuits. Non-contact.",
    ),
    t(
        "Women-only Boxercise",
        "Boxercise",
        HALL,
        45,
        Adults,
        Female,
        "All levels",
        "Trainers and water. Gloves provided.",
        "A fun, non-contact boxing workout for women of all fitness levels.",
    ),
    t(
        "Casual 5-a-side Football",
        "Football",
        COURT,
        60,
        Adults,
        Any,
        "All levels",
        "Trainers or astro boots; shin pads recommended.",
        "Turn up and play. Teams picked on the night.",
    ),
    t(
        "Kids Football Club",
        "Football",
        COURT,
        60,
        Kids,
        Any,
        "Beginner",
        "Trainers, shin pads and a drink.",
        "FA-qualified coaches, games and skills for 5 to 11 year olds.",
    ),
    t(
        "Walking Football for over 50s",
        "Walking Football",
        COURT,
        60,
        Over50s,
        Any,
        "All levels",
        "Trainers and comfortable clothes.",
        "Football at walking pace: no running, no contact, lots of laughs.",
    ),
    t(
        "Men's Walking Football",
        "Walking Football",
        COURT,
        60,
        Over50s,
        Male,
        "All levels",
        "Trainers.",
        "A friendly walking football session for men over 50.",
    ),
    t(
        "Back to Netball",
        "Netball",
        COURT,
        60,
        Adults,
        Female,
        "Beginner",
        "Trainers and water.",
        "For women returning to netball or trying it for the first time.",
    ),
    t(
        "Walking Netball",
        "Walking Netball",
        HALL,
        60,
        Over50s,
        Female,
        "All levels",
        "Trainers.",
        "Netball at walking pace, adapted for all ages and abilities.",
    ),
    t(
        "Badminton Social",
        "Badminton",
        LC,
        60,
        Adults,
        Any,
        "Intermediate",
        "Racquet if you have one; shuttles provided.",
        "Doubles games with rotating partners.",
    ),
    t(
        "Beginners Badminton",
        "Badminton",
        LC,
        60,
        Adults,
        Any,
        "Beginner",
        "Racquets and shuttles provided.",
        "Coached session covering the basics.",
    ),
    t(
        "Tennis for Beginners",
        "Tennis",
        COURT,
        60,
        Adults,
        Any,
        "Beginner",
        "Trainers. Racquets provided.",
        "Learn to rally in a relaxed group with a qualified coach.",
    ),
    t(
        "Table Tennis Drop-in",
        "Table Tennis",
        HALL,
        90,
        Everyone,
        Any,
        "All levels",
        "Bats and balls provided.",
        "Tables set up for casual play. All ages welcome.",
    ),
    t(
        "Gym Induction",
        "Gym Workout",
        LC,
        45,
        Adults,
        Any,
        "Beginner",
        "Trainers and a towel.",
        "Get shown how to use the equipment safely.",
    ),
    t(
        "Women-only Gym Session",
        "Gym Workout",
        LC,
        60,
        Adults,
        Female,
        "All levels",
        "Trainers and a towel.",
        "The gym floor reserved for women, with a female instructor on hand.",
    ),
    t(
        "Couch to 5K Running Group",
        "Running",
        OUT,
        45,
        Adults,
        Any,
        "Beginner",
        "Running shoes and water.",
        "A supportive group working up to 5K over nine weeks. Join any week.",
    ),
    t(
        "Social Running Club",
        "Running",
        OUT,
        60,
        Adults,
        Any,
        "Intermediate",
        "Running shoes. A light in winter.",
        "5-8 km routes at a chatty pace.",
    ),
    t(
        "Led Bike Ride",
        "Cycling",
        OUT,
        90,
        Adults,
        Any,
        "All levels",
        "A bike and helmet. Bikes can be loaned: ask when booking.",
        "Gentle rides on quiet roads and paths with trained ride leaders.",
    ),
    t(
        "Spin Class",
        "Indoor Cycling",
        LC,
        45,
        Adults,
        Any,
        "Intermediate",
        "Trainers, towel and water.",
        "High-energy indoor cycling to music.",
    ),
    t(
        "Street Dance for Kids",
        "Dance",
        HALL,
        60,
        Kids,
        Any,
        "Beginner",
        "Trainers and comfortable clothes.",
        "Learn routines and perform with friends.",
    ),
    t(
        "Tea Dance",
        "Dance",
        HALL,
        120,
        Seniors,
        Any,
        "All levels",
        "Comfortable shoes.",
        "Ballroom and sequence dancing, with tea and cake.",
    ),
    t(
        "Tai Chi for Health",
        "Tai Chi",
        HALL,
        60,
        Over50s,
        Any,
        "Beginner",
        "Loose clothing and flat shoes.",
        "Slow, flowing movements to improve balance and calm the mind.",
    ),
    t(
        "Chair-based Exercise",
        "Chair Based Exercise",
        HALL,
        45,
        Seniors,
        Any,
        "Beginner",
        "Comfortable clothes. Chairs provided.",
        "Seated strength and mobility exercises, ideal if standing for long is hard.",
    ),
    t(
        "Circuit Training",
        "Circuit Training",
        HALL,
        45,
        Adults,
        Any,
        "Intermediate",
        "Trainers and water.",
        "Stations of strength and cardio exercises, at your own level.",
    ),
    t(
        "Over 60s Circuits",
        "Circuit Training",
        HALL,
        45,
        Seniors,
        Any,
        "Beginner",
        "Trainers and water.",
        "Gentle circuits to build strength and balance.",
    ),
    t(
        "HIIT Express",
        "HIIT",
        HALL,
        30,
        Adults,
        Any,
        "Intermediate",
        "Trainers, towel and water.",
        "Short, intense intervals. Options for every fitness level.",
    ),
    t(
        "Health Walk",
        "Walking",
        OUT,
        60,
        Everyone,
        Any,
        "Beginner",
        "Comfortable shoes and a waterproof.",
        "Free, friendly walks of about an hour, led by trained volunteers.",
    ),
    t(
        "Basketball Drop-in",
        "Basketball",
        COURT,
        90,
        Adults,
        Any,
        "All levels",
        "Trainers.",
        "Pick-up games for all abilities.",
    ),
    t(
        "Outdoor Bootcamp",
        "Bootcamp",
        OUT,
        45,
        Adults,
        Any,
        "Intermediate",
        "Trainers and water.",
        "Military-style fitness in the park, whatever the weather.",
    ),
    t(
        "Karate for Kids",
        "Karate",
        HALL,
        60,
        Kids,
        Any,
        "Beginner",
        "Loose clothing; bare feet on the mat.",
        "Discipline, confidence and fitness for 5 to 11 year olds.",
    ),
    t(
        "Strength & Conditioning",
        "Strength and Conditioning",
        LC,
        60,
        Adults,
        Any,
        "Intermediate",
        "Trainers and a towel.",
        "Coached weights and conditioning in small groups.",
    ),
];

/// (prefLabel, @id) of every activity the demo uses, resolved from the vocab snapshot.
pub fn demo_activities() -> Vec<(&'static str, String)> {
    let index = activity_index();
    let mut labels: Vec<&'static str> = TEMPLATES.iter().map(|t| t.activity).collect();
    labels.sort_unstable();
    labels.dedup();
    labels
        .into_iter()
        .filter_map(|l| index.get(l).map(|id| (l, id.clone())))
        .collect()
}

/// prefLabel → `@id` for every concept of the Activity List snapshot.
pub fn activity_index() -> std::collections::HashMap<String, String> {
    let v: Value = serde_json::from_str(ACTIVITY_LIST).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("prefLabel")?.as_str()?.to_string(),
                        c.get("id")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn accessibility_concepts() -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(ACCESSIBILITY_SUPPORT).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("id")?.as_str()?.to_string(),
                        c.get("prefLabel")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

struct Venue {
    borough: usize,
    kind: VenueKind,
    name: String,
    street: String,
    postcode: String,
    lat: f64,
    lon: f64,
    publisher: usize,
    id: String,
    wheelchair: bool,
    geo: bool,
}

const STREETS: &[&str] = &[
    "High Street",
    "Church Road",
    "Station Road",
    "Park Lane",
    "Victoria Road",
    "Green Lane",
    "Mill Lane",
    "King Street",
    "Queens Road",
    "The Broadway",
    "Manor Road",
    "London Road",
];
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn day_url(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "https://schema.org/Monday",
        Weekday::Tue => "https://schema.org/Tuesday",
        Weekday::Wed => "https://schema.org/Wednesday",
        Weekday::Thu => "https://schema.org/Thursday",
        Weekday::Fri => "https://schema.org/Friday",
        Weekday::Sat => "https://schema.org/Saturday",
        Weekday::Sun => "https://schema.org/Sunday",
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// What every generated series starts from: its venue (the i-th, then random ones), a
/// template that suits the venue, the template's activity, and its ids. `None` when the
/// template's activity is not in the list (that series is skipped).
struct SeriesStart<'v> {
    venue: &'v Venue,
    /// Index of the venue's publisher.
    p: usize,
    publisher: DemoPublisher,
    tpl: &'static Template,
    label: &'v &'static str,
    activity_id: &'v String,
    series_id: String,
    series_at: String,
    bo: &'static Borough,
}

fn series_start<'v>(
    rng: &mut StdRng,
    i: usize,
    venues: &'v [Venue],
    publishers: &[DemoPublisher],
    activities: &'v [(&'static str, String)],
    base_url: &str,
) -> Option<SeriesStart<'v>> {
    let venue = if i < venues.len() {
        &venues[i]
    } else {
        &venues[rng.random_range(0..venues.len())]
    };
    let p = venue.publisher;
    let publisher = publishers[p];
    let candidates: Vec<&'static Template> = TEMPLATES
        .iter()
        .filter(|t| t.venues.contains(&venue.kind))
        .collect();
    let tpl = *pick(rng, &candidates);
    let (label, activity_id) = activities.iter().find(|(l, _)| *l == tpl.activity)?;
    let series_id = format!("{}-ss-{:05}", publisher.slug, i + 1);
    let series_at = format!(
        "{base_url}/demo/{}/session-series/{series_id}",
        publisher.slug
    );
    Some(SeriesStart {
        venue,
        p,
        publisher,
        tpl,
        label,
        activity_id,
        series_id,
        series_at,
        bo: &BOROUGHS[venue.borough],
    })
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn make_venues(rng: &mut StdRng, count: usize) -> Vec<Venue> {
    let mut venues = Vec::with_capacity(count);
    for j in 0..count {
        let borough = if j < BOROUGHS.len() {
            j
        } else {
            rng.random_range(0..BOROUGHS.len())
        };
        let bo = &BOROUGHS[borough];
        let kind = match j % 5 {
            0 | 1 => LeisureCentre,
            2 | 3 => CommunityCentre,
            _ => Park,
        };
        let name = match kind {
            LeisureCentre => format!("{} Leisure Centre", bo.area),
            CommunityCentre => format!(
                "{} {}",
                bo.area,
                pick(rng, &["Community Centre", "Sports Hall", "Community Hub"])
            ),
            Park => format!(
                "{} {}",
                bo.area,
                pick(rng, &["Park", "Recreation Ground", "Common"])
            ),
        };
        let inward = format!(
            "{}{}{}",
            rng.random_range(1..10),
            INWARD_LETTERS[rng.random_range(0..INWARD_LETTERS.len())] as char,
            INWARD_LETTERS[rng.random_range(0..INWARD_LETTERS.len())] as char
        );
        let street = format!("{} {}", rng.random_range(1..240), pick(rng, STREETS));
        let lat = round6(bo.lat + rng.random_range(-0.012..0.012));
        let lon = round6(bo.lon + rng.random_range(-0.018..0.018));
        venues.push(Venue {
            borough,
            kind,
            name,
            street,
            postcode: format!("{} {}", bo.outward, inward),
            lat,
            lon,
            publisher: j % PUBLISHERS.len(),
            id: format!("venue-{:03}", j + 1),
            wheelchair: kind != Park && rng.random_bool(0.7),
            geo: true,
        });
    }
    venues
}

/// The fixed parts of one series.
struct SeriesCtx<'a> {
    base_url: &'a str,
    publisher: DemoPublisher,
    venue: &'a Venue,
    bo: &'a Borough,
    tpl: &'a Template,
    label: &'a str,
    activity_id: &'a str,
    series_id: &'a str,
    series_at: &'a str,
    today: NaiveDate,
    access: &'a [(String, String)],
}

/// A SessionSeries' `data` (one weekly `Schedule` per start time; none when `times` is empty)
/// and its capacity. The order of random draws is part of the demo's bytes: keep it.
fn series_value(
    rng: &mut StdRng,
    c: &SeriesCtx<'_>,
    days: &[Weekday],
    times: &[(NaiveTime, NaiveTime)],
) -> (Value, i64) {
    let SeriesCtx {
        base_url,
        publisher,
        venue,
        bo,
        tpl,
        label,
        activity_id,
        series_id,
        series_at,
        today,
        access,
    } = *c;
    // Prices.
    let free = tpl.name == "Health Walk" || rng.random_bool(0.18);
    let adult_price = if free {
        0.0
    } else {
        let base = match tpl.audience {
            Kids => rng.random_range(4..13),
            Seniors | Over50s => rng.random_range(4..11),
            _ => rng.random_range(6..25),
        };
        f64::from(base) / 2.0
    };
    let mut offers = vec![json!({
        "@type": "Offer",
        "@id": format!("{series_at}#offer-adult"),
        "identifier": "adult",
        "name": if tpl.audience == Kids { "Child" } else { "Standard" },
        "price": adult_price,
        "priceCurrency": "GBP",
        "url": format!("{base_url}/demo/{}/book/{series_id}", publisher.slug),
    })];
    if !free && rng.random_bool(0.3) {
        let conc = (adult_price * 0.6 * 20.0).round() / 20.0;
        offers.push(json!({
            "@type": "Offer",
            "@id": format!("{series_at}#offer-concession"),
            "identifier": "concession",
            "name": "Concession",
            "description": "Over 60s, students, and people receiving means-tested benefits.",
            "price": conc,
            "priceCurrency": "GBP",
        }));
    }
    let age = match tpl.audience {
        Adults => json!({"@type": "QuantitativeValue", "minValue": 18}),
        Seniors => json!({"@type": "QuantitativeValue", "minValue": 60}),
        Over50s => json!({"@type": "QuantitativeValue", "minValue": 50}),
        Kids => json!({"@type": "QuantitativeValue", "minValue": 5, "maxValue": 11}),
        Everyone => json!({"@type": "QuantitativeValue", "minValue": 0}),
    };
    let gender = match tpl.sex {
        Any => "https://openactive.io/NoRestriction",
        Female => "https://openactive.io/FemaleOnly",
        Male => "https://openactive.io/MaleOnly",
    };
    let max_capacity: i64 = rng.random_range(8..31);
    let mut location = json!({
        "@type": "Place",
        "@id": format!("{base_url}/demo/{}/places/{}", publisher.slug, venue.id),
        "identifier": venue.id,
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.street,
            "addressLocality": bo.area,
            "addressRegion": bo.name,
            "postalCode": venue.postcode,
            "addressCountry": "GB",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon},
    });
    if !venue.geo
        && let Some(obj) = location.as_object_mut()
    {
        obj.remove("geo");
    }
    if venue.kind != Park
        && let Some(obj) = location.as_object_mut()
    {
        obj.insert(
            "telephone".into(),
            json!(format!("020 7946 0{:03}", rng.random_range(0..1000))),
        );
    }
    let mut data = json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "SessionSeries",
        "@id": series_at,
        "identifier": series_id,
        "name": tpl.name,
        "description": tpl.description,
        "url": format!("{base_url}/demo/{}/book/{series_id}", publisher.slug),
        "activity": [{
            "@type": "Concept",
            "@id": activity_id,
            "prefLabel": label,
            "inScheme": "https://openactive.io/activity-list",
        }],
        "organizer": {
            "@type": "Organization",
            "name": publisher.name,
            "url": publisher.website,
        },
        "location": location,
        "offers": offers,
        "ageRange": age,
        "genderRestriction": gender,
        "level": [tpl.level],
        "maximumAttendeeCapacity": max_capacity,
        "attendeeInstructions": format!("Please arrive 10 minutes early and report to reception at {}.", venue.name),
        "beta:participantSuppliedEquipment": tpl.equipment,
        "eventSchedule": times.iter().map(|(start_time, end_time)| json!({
            "@type": "Schedule",
            "byDay": days.iter().map(|d| day_url(*d)).collect::<Vec<_>>(),
            "startTime": start_time.format("%H:%M").to_string(),
            "endTime": end_time.format("%H:%M").to_string(),
            "duration": format!("PT{}M", tpl.minutes),
            "repeatFrequency": "P1W",
            "scheduleTimezone": "Europe/London",
            "scheduledEventType": "ScheduledSession",
            "startDate": (today - Duration::days(rng.random_range(7..120))).format("%Y-%m-%d").to_string(),
        })).collect::<Vec<_>>(),
    });
    if let Some(obj) = data.as_object_mut() {
        if venue.wheelchair || rng.random_bool(0.1) {
            obj.insert(
                "beta:isWheelchairAccessible".into(),
                json!(venue.wheelchair),
            );
        }
        if !access.is_empty() && rng.random_bool(0.25) {
            let n = rng.random_range(1..3);
            let mut chosen: Vec<&(String, String)> = Vec::new();
            while chosen.len() < n.min(access.len()) {
                let c = pick(rng, access);
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            obj.insert(
                "accessibilitySupport".into(),
                Value::Array(
                    chosen
                        .iter()
                        .map(|(id, label)| {
                            json!({
                                "@type": "Concept",
                                "@id": id,
                                "prefLabel": label,
                                "inScheme": "https://openactive.io/accessibility-support",
                            })
                        })
                        .collect(),
                ),
            );
        }
    }
    (data, max_capacity)
}

/// A ScheduledSession's `data`. `utc` writes datetimes in UTC with `Z`.
#[allow(clippy::too_many_arguments)]
fn session_value(
    rng: &mut StdRng,
    base_url: &str,
    slug: &str,
    session_id: i64,
    super_event: Value,
    start: DateTime<Tz>,
    end: DateTime<Tz>,
    minutes: i64,
    max_capacity: i64,
    utc: bool,
) -> Value {
    let cancelled = rng.random_bool(0.03);
    let full = !cancelled && rng.random_bool(0.08);
    let remaining = if full {
        0
    } else {
        rng.random_range(1..=max_capacity)
    };
    json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "ScheduledSession",
        "@id": format!("{base_url}/demo/{}/scheduled-sessions/{session_id}", slug),
        "identifier": session_id,
        "superEvent": super_event,
        "startDate": stamp(start, utc),
        "endDate": stamp(end, utc),
        "duration": format!("PT{}M", minutes),
        "eventStatus": if cancelled { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "maximumAttendeeCapacity": max_capacity,
        "remainingAttendeeCapacity": remaining,
    })
}

fn stamp(t: DateTime<Tz>, utc: bool) -> String {
    if utc {
        t.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    } else {
        t.to_rfc3339()
    }
}

/// Generates the demo for `series_count` series with occurrences over the 28 days from
/// `today` (London date), `@id`s under `base_url` (no trailing slash).
pub fn generate(seed: u64, today: NaiveDate, series_count: usize, base_url: &str) -> DemoData {
    let mut rng = StdRng::seed_from_u64(seed);
    let base_url = base_url.trim_end_matches('/').to_string();
    let venue_count = (series_count / 5).clamp(BOROUGHS.len().min(series_count.max(1)), 60);
    let venues = make_venues(&mut rng, venue_count);
    let activities: Vec<(&'static str, String)> = demo_activities();
    let access = accessibility_concepts();
    let epoch = today
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0)
        - 30 * 86_400;

    let mut publishers: Vec<DemoFeeds> = PUBLISHERS.iter().map(|p| DemoFeeds::new(*p)).collect();
    let mut change = [1_000_i64; 3];

    for i in 0..series_count {
        let Some(SeriesStart {
            venue,
            p,
            publisher,
            tpl,
            label,
            activity_id,
            series_id,
            series_at,
            bo,
        }) = series_start(&mut rng, i, &venues, &PUBLISHERS, &activities, &base_url)
        else {
            continue;
        };

        // Schedule: 1-3 days a week at plausible times for the audience.
        let ndays = match rng.random_range(0..100) {
            0..30 => 1,
            30..75 => 2,
            _ => 3,
        };
        let mut days: Vec<Weekday> = Vec::new();
        while days.len() < ndays {
            let d = match tpl.audience {
                Kids => *pick(
                    &mut rng,
                    &[
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Sat,
                    ],
                ),
                _ => DAYS[rng.random_range(0..7)],
            };
            if !days.contains(&d) {
                days.push(d);
            }
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        let (h, m) = match tpl.audience {
            Seniors | Over50s => *pick(&mut rng, &[(10, 0), (10, 30), (11, 0), (13, 30), (14, 0)]),
            Kids => *pick(&mut rng, &[(16, 0), (16, 30), (17, 0), (17, 30)]),
            Everyone => *pick(&mut rng, &[(9, 30), (11, 0), (14, 0), (15, 30)]),
            Adults => *pick(
                &mut rng,
                &[
                    (6, 30),
                    (7, 0),
                    (12, 15),
                    (18, 0),
                    (18, 30),
                    (19, 0),
                    (19, 30),
                    (20, 0),
                ],
            ),
        };
        let start_time = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        let end_time = start_time + Duration::minutes(tpl.minutes);

        let ctx = SeriesCtx {
            base_url: &base_url,
            publisher,
            venue,
            bo,
            tpl,
            label,
            activity_id,
            series_id: &series_id,
            series_at: &series_at,
            today,
            access: &access,
        };
        let (data, max_capacity) = series_value(&mut rng, &ctx, &days, &[(start_time, end_time)]);
        let modified = epoch + (i as i64) * 613 + rng.random_range(0..600);
        publishers[p].series.push(DemoItem {
            id_json: format!("\"{series_id}\""),
            id_text: series_id.clone(),
            modified,
            kind: "SessionSeries",
            data: Some(data.to_string()),
        });

        // One ScheduledSession per weekly occurrence in the next 28 days.
        for offset in 0..28 {
            let date = today + Duration::days(offset);
            if !days.contains(&date.weekday()) {
                continue;
            }
            let (Some(start), Some(end)) = (
                London
                    .from_local_datetime(&date.and_time(start_time))
                    .earliest(),
                London
                    .from_local_datetime(&date.and_time(end_time))
                    .earliest(),
            ) else {
                continue;
            };
            change[p] += 1;
            let session_id = (p as i64 + 1) * 1_000_000 + change[p];
            let data = session_value(
                &mut rng,
                &base_url,
                publisher.slug,
                session_id,
                json!(series_at),
                start,
                end,
                tpl.minutes,
                max_capacity,
                false,
            );
            publishers[p].sessions.push(DemoItem {
                id_json: session_id.to_string(),
                id_text: session_id.to_string(),
                modified: change[p],
                kind: "ScheduledSession",
                data: Some(data.to_string()),
            });
        }
    }

    // A few deletions in every feed (retired series and removed sessions).
    for (p, feeds) in publishers.iter_mut().enumerate() {
        let slug = feeds.publisher.slug;
        let deleted_series = 1 + series_count / 100;
        for k in 0..deleted_series {
            let id = format!("{slug}-ss-retired-{:03}", k + 1);
            feeds.series.push(DemoItem {
                id_json: format!("\"{id}\""),
                id_text: id,
                modified: epoch + (series_count as i64) * 613 + (k as i64) * 97,
                kind: "SessionSeries",
                data: None,
            });
        }
        for _ in 0..(2 + series_count / 50) {
            change[p] += 1;
            let id = (p as i64 + 1) * 1_000_000 + 900_000 + change[p];
            feeds.sessions.push(DemoItem {
                id_json: id.to_string(),
                id_text: id.to_string(),
                modified: change[p],
                kind: "ScheduledSession",
                data: None,
            });
        }
        feeds.series.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
        feeds.sessions.sort_by_key(|s| s.modified);
    }

    if series_count >= DEFAULT_SERIES {
        // Own random stream, after everything else: the session feeds keep their bytes.
        let fc = FacilityCtx {
            base_url: &base_url,
            today,
            epoch,
            venues: &venues,
            per_publisher: 3,
        };
        add_facilities(seed, &fc, &mut publishers, &FACILITY_PUBLISHERS);
    }

    DemoData {
        base_url,
        publishers,
    }
}

/// `generate` for a numeric size, [`generate_london`] for [`LONDON_SIZE`].
pub fn generate_sized(seed: u64, today: NaiveDate, size: usize, base_url: &str) -> DemoData {
    if size == LONDON_SIZE {
        generate_london(seed, today, base_url)
    } else {
        generate(seed, today, size, base_url)
    }
}

/// Renames `@id`/`@type` to their JSON-LD aliases `id`/`type`.
fn alias_keys(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        for (from, to) in [("@id", "id"), ("@type", "type")] {
            if let Some(x) = obj.remove(from) {
                obj.insert(to.into(), x);
            }
        }
    }
}

fn session_item(id: i64, change: i64, data: Option<&Value>) -> DemoItem {
    DemoItem {
        id_json: id.to_string(),
        id_text: id.to_string(),
        modified: change,
        kind: "ScheduledSession",
        data: data.map(Value::to_string),
    }
}

fn series_item(id: &str, modified: i64, data: Option<&Value>) -> DemoItem {
    DemoItem {
        id_json: format!("\"{id}\""),
        id_text: id.to_string(),
        modified,
        kind: "SessionSeries",
        data: data.map(Value::to_string),
    }
}

/// The London size: about [`LONDON_OCCURRENCES`] upcoming ScheduledSessions over the 28 days
/// from `today`, from about [`LONDON_SERIES`] series at [`LONDON_VENUES`] venues across the 20
/// [`LONDON_PUBLISHERS`], with the quirks real feeds have, each a fixed share of series:
///
/// - series whose sessions are embedded as `subEvent` (and absent from the sessions feed);
/// - sessions whose `superEvent` is the embedded series object (the series is not published);
/// - orphans: sessions whose series never appears;
/// - booking grids: sessions every 15 minutes, four hours a day;
/// - the same item twice: an earlier version, then the current one with a higher `modified`
///   further on; and items published, then deleted further on;
/// - cancelled sessions; datetimes in UTC `Z` (every fourth publisher) or with `+00:00`/`+01:00`;
/// - venues without `geo`; `id`/`type` aliases instead of `@id`/`@type`.
pub fn generate_london(seed: u64, today: NaiveDate, base_url: &str) -> DemoData {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x004c_4f4e_444f_4e00);
    let base_url = base_url.trim_end_matches('/').to_string();
    let np = LONDON_PUBLISHERS.len();
    let mut venues = make_venues(&mut rng, LONDON_VENUES);
    for (j, v) in venues.iter_mut().enumerate() {
        v.publisher = j % np;
        v.id = format!("venue-{:04}", j + 1);
        v.geo = j % 33 != 7;
    }
    let activities: Vec<(&'static str, String)> = demo_activities();
    let access = accessibility_concepts();
    let epoch = today
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0)
        - 30 * 86_400;
    let later_ts = epoch + (LONDON_SERIES as i64) * 613 + 1_000;
    let mut publishers: Vec<DemoFeeds> = LONDON_PUBLISHERS
        .iter()
        .map(|p| DemoFeeds {
            series: Vec::with_capacity(LONDON_SERIES / np + 16),
            sessions: Vec::with_capacity(LONDON_OCCURRENCES / np + 256),
            ..DemoFeeds::new(*p)
        })
        .collect();
    let mut change = vec![1_000_i64; np];
    // Sessions re-published after the main pass (so with higher change numbers): the current
    // version of an item first published in an earlier version, or the deletion of an item.
    let mut later: Vec<(usize, i64, Option<Value>)> = Vec::new();

    for i in 0..LONDON_SERIES {
        let Some(SeriesStart {
            venue,
            p,
            publisher,
            tpl,
            label,
            activity_id,
            series_id,
            series_at,
            bo,
        }) = series_start(
            &mut rng,
            i,
            &venues,
            &LONDON_PUBLISHERS,
            &activities,
            &base_url,
        )
        else {
            continue;
        };
        let quirk = i % 100;
        let grid = i % 250 == 7;
        let embedded_children = quirk == 3 || quirk == 53;
        let embedded_parent = quirk == 11 || quirk == 61;
        let orphan = quirk == 23;
        let alias = quirk == 31 || quirk == 81;
        let utc = p % 4 == 3;

        let (days, times, minutes): (Vec<Weekday>, Vec<(NaiveTime, NaiveTime)>, i64) = if grid {
            let days: Vec<Weekday> = DAYS[..6].to_vec();
            let (h, m) = *pick(&mut rng, &[(7, 0), (9, 0), (13, 0), (17, 0)]);
            let first = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            let times = (0..16)
                .map(|k| {
                    let t = first + Duration::minutes(15 * k);
                    (t, t + Duration::minutes(15))
                })
                .collect();
            (days, times, 15)
        } else {
            let ndays = match rng.random_range(0..100) {
                0..10 => 1,
                10..30 => 2,
                30..60 => 3,
                60..85 => 4,
                _ => 5,
            };
            let kid_days = [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Sat,
            ];
            let mut days: Vec<Weekday> = Vec::new();
            while days.len() < ndays {
                let d = match tpl.audience {
                    Kids => *pick(&mut rng, &kid_days),
                    _ => DAYS[rng.random_range(0..7)],
                };
                if !days.contains(&d) {
                    days.push(d);
                }
            }
            days.sort_by_key(|d| d.num_days_from_monday());
            let slots: &[(u32, u32)] = match tpl.audience {
                Seniors | Over50s => &[(10, 0), (10, 30), (11, 0), (13, 30), (14, 0)],
                Kids => &[(16, 0), (16, 30), (17, 0), (17, 30)],
                Everyone => &[(9, 30), (11, 0), (14, 0), (15, 30)],
                Adults => &[
                    (6, 30),
                    (7, 0),
                    (12, 15),
                    (18, 0),
                    (18, 30),
                    (19, 0),
                    (19, 30),
                    (20, 0),
                ],
            };
            let at = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            let first = at(*pick(&mut rng, slots));
            let mut starts = vec![first];
            if rng.random_bool(0.55) {
                // A second start time the same days, not overlapping the first.
                for _ in 0..8 {
                    let t = at(*pick(&mut rng, slots));
                    if (t - first).num_minutes().abs() >= tpl.minutes {
                        starts.push(t);
                        break;
                    }
                }
                starts.sort();
            }
            let times = starts
                .into_iter()
                .map(|t| (t, t + Duration::minutes(tpl.minutes)))
                .collect();
            (days, times, tpl.minutes)
        };

        let ctx = SeriesCtx {
            base_url: &base_url,
            publisher,
            venue,
            bo,
            tpl,
            label,
            activity_id,
            series_id: &series_id,
            series_at: &series_at,
            today,
            access: &access,
        };
        let schedule_times: &[(NaiveTime, NaiveTime)] = if grid { &[] } else { &times };
        let (mut data, max_capacity) = series_value(&mut rng, &ctx, &days, schedule_times);
        if grid && let Some(obj) = data.as_object_mut() {
            obj.remove("eventSchedule");
            obj.insert(
                "name".into(),
                json!(format!("{}: 15-minute slots", tpl.name)),
            );
        }
        let embedded_series = embedded_parent.then(|| {
            let mut v = data.clone();
            if let Some(obj) = v.as_object_mut() {
                obj.remove("@context");
            }
            v
        });

        let mut children: Vec<Value> = Vec::new();
        for offset in 0..28 {
            let date = today + Duration::days(offset);
            if !days.contains(&date.weekday()) {
                continue;
            }
            for (start_time, end_time) in &times {
                let (Some(start), Some(end)) = (
                    London
                        .from_local_datetime(&date.and_time(*start_time))
                        .earliest(),
                    London
                        .from_local_datetime(&date.and_time(*end_time))
                        .earliest(),
                ) else {
                    continue;
                };
                change[p] += 1;
                let session_id = (p as i64 + 1) * 1_000_000 + change[p];
                let super_event = match &embedded_series {
                    Some(v) => v.clone(),
                    None => json!(series_at),
                };
                let mut s = session_value(
                    &mut rng,
                    &base_url,
                    publisher.slug,
                    session_id,
                    super_event,
                    start,
                    end,
                    minutes,
                    max_capacity,
                    utc,
                );
                if alias {
                    alias_keys(&mut s);
                }
                if embedded_children {
                    if let Some(obj) = s.as_object_mut() {
                        obj.remove("@context");
                        obj.remove("superEvent");
                    }
                    children.push(s);
                    continue;
                }
                match rng.random_range(0..1000) {
                    0..20 => {
                        // An earlier version now, the current one later.
                        let mut old = s.clone();
                        old["remainingAttendeeCapacity"] = json!(max_capacity);
                        old["eventStatus"] = json!("https://schema.org/EventScheduled");
                        publishers[p].sessions.push(session_item(
                            session_id,
                            change[p],
                            Some(&old),
                        ));
                        later.push((p, session_id, Some(s)));
                    }
                    20..30 => {
                        // Published now, deleted later.
                        publishers[p]
                            .sessions
                            .push(session_item(session_id, change[p], Some(&s)));
                        later.push((p, session_id, None));
                    }
                    _ => publishers[p]
                        .sessions
                        .push(session_item(session_id, change[p], Some(&s))),
                }
            }
        }
        if embedded_children && let Some(obj) = data.as_object_mut() {
            obj.insert("subEvent".into(), Value::Array(children));
        }
        if alias {
            alias_keys(&mut data);
        }
        let modified = epoch + (i as i64) * 613 + rng.random_range(0..600);
        if orphan || embedded_parent {
            continue;
        }
        let feed = &mut publishers[p].series;
        match rng.random_range(0..1000) {
            0..20 => {
                let mut old = data.clone();
                old["name"] = json!(format!("{} (old name)", tpl.name));
                feed.push(series_item(&series_id, modified, Some(&old)));
                feed.push(series_item(&series_id, later_ts + i as i64, Some(&data)));
            }
            20..25 => {
                feed.push(series_item(&series_id, modified, Some(&data)));
                feed.push(series_item(&series_id, later_ts + i as i64, None));
            }
            _ => feed.push(series_item(&series_id, modified, Some(&data))),
        }
    }

    for (p, id, data) in later {
        change[p] += 1;
        publishers[p]
            .sessions
            .push(session_item(id, change[p], data.as_ref()));
    }
    for (p, feeds) in publishers.iter_mut().enumerate() {
        let slug = feeds.publisher.slug;
        for k in 0..3 {
            let id = format!("{slug}-ss-retired-{:03}", k + 1);
            feeds
                .series
                .push(series_item(&id, epoch + (k as i64) * 97, None));
        }
        for _ in 0..5 {
            change[p] += 1;
            let id = (p as i64 + 1) * 1_000_000 + 900_000 + change[p];
            feeds.sessions.push(session_item(id, change[p], None));
        }
        feeds.series.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
        feeds.sessions.sort_by_key(|s| s.modified);
    }
    let fc = FacilityCtx {
        base_url: &base_url,
        today,
        epoch,
        venues: &venues,
        per_publisher: 10,
    };
    add_facilities(seed, &fc, &mut publishers, &LONDON_FACILITY_PUBLISHERS);
    DemoData {
        base_url,
        publishers,
    }
}

/// Publishers with facility feeds at the default size, as (position in [`PUBLISHERS`], first
/// kind in [`FACILITIES`]): Riverside Leisure (pool, squash, badminton) and Parkside Community
/// Sport (table tennis, tennis, pitches).
const FACILITY_PUBLISHERS: [(usize, usize); 2] = [(0, 0), (1, 3)];
/// The same at the London size (positions in [`LONDON_PUBLISHERS`]): Riverside Leisure and
/// Oakhurst Racquets.
const LONDON_FACILITY_PUBLISHERS: [(usize, usize); 2] = [(0, 0), (9, 1)];

/// One kind of facility to hire.
struct FacilityTemplate {
    name: &'static str,
    /// Activity List prefLabel.
    activity: &'static str,
    /// Facility Types prefLabel (the list has no swimming pool).
    facility_type: Option<&'static str>,
    venues: &'static [VenueKind],
    minutes: i64,
    /// How many courts, pitches or lanes (`maximumUses` of each slot).
    uses: i64,
    /// Off-peak price range in half pounds.
    half_pounds: (u32, u32),
    /// Start hours a slot can have (one slot an hour at most, so no booking grid).
    hours: &'static [u32],
    description: &'static str,
}

const FACILITIES: &[FacilityTemplate] = &[
    FacilityTemplate {
        name: "Swimming Lane Hire",
        activity: "Swimming",
        facility_type: None,
        venues: LC,
        minutes: 45,
        uses: 2,
        half_pounds: (40, 60),
        hours: &[7, 8, 12, 13, 19, 20],
        description: "A private 25 m lane for lengths or training, for up to six swimmers.",
    },
    FacilityTemplate {
        name: "Squash Court Hire",
        activity: "Squash",
        facility_type: Some("Squash Court"),
        venues: LC,
        minutes: 40,
        uses: 2,
        half_pounds: (14, 20),
        hours: &[7, 8, 12, 17, 18, 19, 20],
        description: "Glass-backed squash courts, bookable for 40 minutes.",
    },
    FacilityTemplate {
        name: "Badminton Court Hire",
        activity: "Badminton",
        facility_type: Some("Badminton Court"),
        venues: HALL,
        minutes: 55,
        uses: 4,
        half_pounds: (16, 24),
        hours: &[7, 9, 10, 12, 14, 17, 18, 19, 20],
        description: "Book a badminton court for an hour with friends or family. Rackets and shuttles can be borrowed at reception.",
    },
    FacilityTemplate {
        name: "Table Tennis Table Hire",
        activity: "Table Tennis",
        facility_type: Some("Table Tennis Table"),
        venues: HALL,
        minutes: 60,
        uses: 4,
        half_pounds: (8, 12),
        hours: &[10, 11, 13, 15, 16, 18],
        description: "Table tennis tables with bats and balls provided.",
    },
    FacilityTemplate {
        name: "Tennis Court Hire",
        activity: "Tennis",
        facility_type: Some("Tennis Court"),
        venues: OUT,
        minutes: 60,
        uses: 3,
        half_pounds: (10, 18),
        hours: &[8, 9, 11, 13, 15, 17, 18, 19],
        description: "Floodlit outdoor hard courts, bookable by the hour.",
    },
    FacilityTemplate {
        name: "5-a-side Pitch Hire",
        activity: "5-a-side",
        facility_type: Some("Football Pitch"),
        venues: OUT,
        minutes: 60,
        uses: 2,
        half_pounds: (50, 80),
        hours: &[10, 12, 17, 18, 19, 20],
        description: "Third-generation artificial grass pitch for five-a-side games. Bring your own ball.",
    },
];

/// prefLabel → `@id` for every concept of the Facility Types snapshot.
fn facility_type_index() -> std::collections::HashMap<String, String> {
    let v: Value = serde_json::from_str(FACILITY_TYPES).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("prefLabel")?.as_str()?.to_string(),
                        c.get("id")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the facility feeds of one size are made from.
struct FacilityCtx<'a> {
    base_url: &'a str,
    today: NaiveDate,
    epoch: i64,
    venues: &'a [Venue],
    /// FacilityUses per publisher.
    per_publisher: usize,
}

/// A venue as a `Place` (no random draws).
fn place_value(base_url: &str, slug: &str, venue: &Venue) -> Value {
    let bo = &BOROUGHS[venue.borough];
    let mut place = json!({
        "@type": "Place",
        "@id": format!("{base_url}/demo/{slug}/places/{}", venue.id),
        "identifier": venue.id,
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.street,
            "addressLocality": bo.area,
            "addressRegion": bo.name,
            "postalCode": venue.postcode,
            "addressCountry": "GB",
        },
    });
    if venue.geo
        && let Some(obj) = place.as_object_mut()
    {
        obj.insert(
            "geo".into(),
            json!({"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}),
        );
    }
    place
}

fn money(half_pounds: u32) -> f64 {
    f64::from(half_pounds) / 2.0
}

/// Adds a FacilityUse feed and a Slot feed (split, `facilityUse` a URL reference) to each of
/// the publishers in `which`: `per_publisher` facilities at their own venues, each with
/// a few slots a day over the 28 days from `today`, some fully booked, evening slots at a peak
/// price; plus a retired FacilityUse and two removed slots per feed. Uses its own random
/// stream so the session feeds are unchanged.
fn add_facilities(
    seed: u64,
    c: &FacilityCtx<'_>,
    publishers: &mut [DemoFeeds],
    which: &[(usize, usize)],
) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0046_4143_494c_4954);
    let activities = activity_index();
    let types = facility_type_index();
    let base_url = c.base_url;
    for &(p, first_kind) in which {
        let Some(feeds) = publishers.get_mut(p) else {
            continue;
        };
        let publisher = feeds.publisher;
        let slug = publisher.slug;
        let own: Vec<&Venue> = c
            .venues
            .iter()
            .filter(|v| v.publisher == p && v.geo)
            .collect();
        let mut change: i64 = 1_000;
        let mut made = 0;
        let mut k = 0;
        // Each facility kind in turn (offset per publisher), at one of the publisher's venues
        // that has it; a kind with no such venue is skipped.
        while made < c.per_publisher && k < c.per_publisher * FACILITIES.len() {
            let tpl = &FACILITIES[(first_kind + k) % FACILITIES.len()];
            k += 1;
            let fits: Vec<&&Venue> = own
                .iter()
                .filter(|v| tpl.venues.contains(&v.kind))
                .collect();
            if fits.is_empty() {
                continue;
            }
            let venue = **pick(&mut rng, &fits);
            let Some(activity_id) = activities.get(tpl.activity) else {
                continue;
            };
            made += 1;
            let fu_id = format!("{slug}-fu-{made:03}");
            let fu_at = format!("{base_url}/demo/{slug}/facility-uses/{fu_id}");
            let book = format!("{base_url}/demo/{slug}/book/{fu_id}");
            let price = rng.random_range(tpl.half_pounds.0..=tpl.half_pounds.1);
            let peak = price + 2 * rng.random_range(1..4);
            let hire = format!("{} minute hire", tpl.minutes);
            let mut hours: Vec<u32> = Vec::new();
            let want = rng.random_range(3..=4.min(tpl.hours.len()));
            while hours.len() < want {
                let h = *pick(&mut rng, tpl.hours);
                if !hours.contains(&h) {
                    hours.push(h);
                }
            }
            hours.sort_unstable();
            let opens = hours.first().copied().unwrap_or(9);
            let closes = hours.last().copied().unwrap_or(17) + 1;
            let mut data = json!({
                "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
                "@type": "FacilityUse",
                "@id": fu_at,
                "identifier": fu_id,
                "name": tpl.name,
                "description": tpl.description,
                "url": book,
                "provider": {
                    "@type": "Organization",
                    "name": publisher.name,
                    "url": publisher.website,
                },
                "location": place_value(base_url, slug, venue),
                "activity": [{
                    "@type": "Concept",
                    "@id": activity_id,
                    "prefLabel": tpl.activity,
                    "inScheme": "https://openactive.io/activity-list",
                }],
                "offers": [{
                    "@type": "Offer",
                    "@id": format!("{fu_at}#offer-standard"),
                    "name": hire,
                    "price": money(price),
                    "priceCurrency": "GBP",
                    "url": book,
                }],
                "hoursAvailable": [{
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": DAYS.iter().map(|d| day_url(*d)).collect::<Vec<_>>(),
                    "opens": format!("{opens:02}:00"),
                    "closes": format!("{closes:02}:00"),
                }],
                "beta:facilitySetting": if venue.kind == Park {
                    "https://openactive.io/ns-beta#OutdoorFacility"
                } else {
                    "https://openactive.io/ns-beta#IndoorFacility"
                },
            });
            if let Some(obj) = data.as_object_mut() {
                if let Some(t) = tpl
                    .facility_type
                    .and_then(|l| types.get(l).map(|id| (l, id)))
                {
                    obj.insert(
                        "facilityType".into(),
                        json!([{
                            "@type": "Concept",
                            "@id": t.1,
                            "prefLabel": t.0,
                            "inScheme": "https://openactive.io/facility-types",
                        }]),
                    );
                }
                if venue.kind != Park {
                    obj.insert(
                        "beta:isWheelchairAccessible".into(),
                        json!(venue.wheelchair),
                    );
                }
            }
            let modified = c.epoch + (made as i64) * 877 + rng.random_range(0..600);
            feeds.facility_uses.push(DemoItem {
                id_json: format!("\"{fu_id}\""),
                id_text: fu_id.clone(),
                modified,
                kind: "FacilityUse",
                data: Some(data.to_string()),
            });

            for offset in 0..28 {
                let date = c.today + Duration::days(offset);
                for &h in &hours {
                    // Some hours are kept back for clubs and lessons.
                    if rng.random_bool(0.15) {
                        continue;
                    }
                    let start_time = NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
                    let (Some(start), Some(end)) = (
                        London
                            .from_local_datetime(&date.and_time(start_time))
                            .earliest(),
                        London
                            .from_local_datetime(
                                &date.and_time(start_time + Duration::minutes(tpl.minutes)),
                            )
                            .earliest(),
                    ) else {
                        continue;
                    };
                    let remaining = if rng.random_bool(0.2) {
                        0
                    } else {
                        rng.random_range(1..=tpl.uses)
                    };
                    let slot_price = if h >= 17 { peak } else { price };
                    change += 1;
                    let slot_id = format!("{fu_id}-{}", start.format("%Y%m%dT%H%M"));
                    let slot_at = format!("{fu_at}/slots/{}", start.format("%Y%m%dT%H%M"));
                    let slot = json!({
                        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
                        "@type": "Slot",
                        "@id": slot_at,
                        "identifier": slot_id,
                        "facilityUse": fu_at,
                        "startDate": stamp(start, false),
                        "endDate": stamp(end, false),
                        "duration": format!("PT{}M", tpl.minutes),
                        "remainingUses": remaining,
                        "maximumUses": tpl.uses,
                        "offers": [{
                            "@type": "Offer",
                            "@id": format!("{slot_at}#offer"),
                            "name": if h >= 17 { format!("{hire} (peak)") } else { hire.clone() },
                            "price": money(slot_price),
                            "priceCurrency": "GBP",
                            "url": book,
                        }],
                    });
                    feeds.slots.push(DemoItem {
                        id_json: format!("\"{slot_id}\""),
                        id_text: slot_id,
                        modified: change,
                        kind: "FacilityUse/Slot",
                        data: Some(slot.to_string()),
                    });
                }
            }
        }
        if feeds.facility_uses.is_empty() {
            continue;
        }
        let retired = format!("{slug}-fu-retired-001");
        feeds.facility_uses.push(DemoItem {
            id_json: format!("\"{retired}\""),
            id_text: retired,
            modified: c.epoch + 97,
            kind: "FacilityUse",
            data: None,
        });
        for j in 0..2 {
            change += 1;
            let id = format!("{slug}-fu-removed-slot-{:03}", j + 1);
            feeds.slots.push(DemoItem {
                id_json: format!("\"{id}\""),
                id_text: id,
                modified: change,
                kind: "FacilityUse/Slot",
                data: None,
            });
        }
        feeds.facility_uses.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
    }
}

/// Parses `small`, `default`, `london` or a number of series.
pub fn parse_size(s: &str) -> Result<usize, String> {
    match s {
        "small" => Ok(SMALL_SERIES),
        "default" => Ok(DEFAULT_SERIES),
        "london" => Ok(LONDON_SIZE),
        n => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=20_000).contains(n))
            .ok_or_else(|| format!("--demo-size: {s:?} is not small, default, london or 1..20000")),
    }
}
