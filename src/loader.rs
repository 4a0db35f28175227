//! Reads every feed the proxy relays, page by page, a few feeds at a time; each page is parsed
//! and joined as it arrives so results show while the rest stream in. A failing feed is marked
//! failing and never blocks the others.

use crate::api::{self, FeedInfo};
use openactive::Dataset;
use openactive::join::Store;
use openactive::rpde::parse_page_model;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// How many feeds are read at once.
pub const CONCURRENCY: usize = 4;
/// A feed that never reaches its last page is stopped after this many pages.
pub const MAX_PAGES: usize = 2000;

/// Where one feed's loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedState {
    /// Not started yet.
    Waiting,
    /// Reading pages.
    Loading,
    /// Read to the end.
    Done,
    /// Could not be read; the message says why.
    Failed(String),
}

/// Per-feed progress for the status panel.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedProgress {
    /// The feed.
    pub info: FeedInfo,
    /// Pages read.
    pub pages: usize,
    /// Items read.
    pub items: usize,
    /// Items skipped as unreadable.
    pub skipped: usize,
    /// State.
    pub state: FeedState,
}

/// Something the loader tells the app.
pub enum Event {
    /// A page was joined: the feed's new progress.
    Progress(usize, Box<FeedProgress>),
    /// New data is in the store: rebuild the index (when it has grown enough).
    DataChanged,
    /// A child feed failed, so its publisher's series are now listed from their timetables:
    /// rebuild now.
    Fallback,
}

const PARENT_KINDS: [&str; 3] = ["SessionSeries", "FacilityUse", "IndividualFacilityUse"];
const CHILD_KINDS: [&str; 2] = ["ScheduledSession", "Slot"];

/// Who published a feed: its Dataset Site, else its publisher name.
fn publisher_key(f: &FeedInfo) -> &str {
    f.dataset_url.as_deref().unwrap_or(&f.publisher)
}

/// For each feed, the child feeds (ScheduledSession, Slot) of the same publisher when it is a
/// parent feed (SessionSeries, FacilityUse), else nothing.
pub fn child_feeds(feeds: &[FeedInfo]) -> Vec<Vec<usize>> {
    feeds
        .iter()
        .map(|p| {
            if !PARENT_KINDS.contains(&p.kind.as_str()) {
                return Vec::new();
            }
            feeds
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    CHILD_KINDS.contains(&c.kind.as_str()) && publisher_key(c) == publisher_key(p)
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// The order feeds are read in: publisher by publisher (in order of first appearance), each
/// publisher's parent feeds before its child feeds, so that the first pages read already join
/// into sessions.
pub fn read_order(feeds: &[FeedInfo]) -> Vec<usize> {
    let mut publishers: Vec<&str> = Vec::new();
    for f in feeds {
        if !publishers.contains(&publisher_key(f)) {
            publishers.push(publisher_key(f));
        }
    }
    let mut order: Vec<usize> = (0..feeds.len()).collect();
    order.sort_by_key(|&i| {
        let f = &feeds[i];
        let p = publishers.iter().position(|&k| k == publisher_key(f));
        (p, CHILD_KINDS.contains(&f.kind.as_str()))
    });
    order
}

fn is_failing(f: &FeedInfo) -> bool {
    f.status == "failing" || f.status == "gone"
}

/// Reads all feeds into `store`, calling `notify` as pages arrive. Returns when every feed has
/// finished or failed.
///
/// A parent feed's schedules are not expanded while a child feed of the same publisher is
/// still being read ([`Store::defer_schedules`]); when the child feed fails they are, and the
/// app is told ([`Event::Fallback`]).
pub async fn load_all(feeds: Vec<FeedInfo>, store: Rc<RefCell<Store>>, notify: Rc<dyn Fn(Event)>) {
    let mut feed_index = Vec::with_capacity(feeds.len());
    for f in &feeds {
        let dataset = Dataset {
            publisher: f.publisher.clone(),
            url: f.dataset_url.clone(),
            license: f.license.clone(),
        };
        feed_index.push(store.borrow_mut().add_feed(dataset));
    }
    let children = Rc::new(child_feeds(&feeds));
    for (p, kids) in children.iter().enumerate() {
        let waiting = kids.iter().any(|&c| !is_failing(&feeds[c]));
        store.borrow_mut().defer_schedules(feed_index[p], waiting);
    }
    let queue: Rc<RefCell<VecDeque<usize>>> = Rc::new(RefCell::new(read_order(&feeds).into()));
    let finished = Rc::new(RefCell::new(vec![false; feeds.len()]));
    let (feeds, feed_index) = (Rc::new(feeds), Rc::new(feed_index));
    let workers = (0..CONCURRENCY.min(feeds.len())).map(|_| {
        let (queue, feeds, feed_index, store, notify, children, finished) = (
            queue.clone(),
            feeds.clone(),
            feed_index.clone(),
            store.clone(),
            notify.clone(),
            children.clone(),
            finished.clone(),
        );
        async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some(i) = next else { break };
                let ok = load_feed(i, feed_index[i], &feeds[i], &store, &notify).await;
                finished.borrow_mut()[i] = true;
                // Parents whose child feeds are now all read (or failed) expand their schedules.
                for (p, kids) in children.iter().enumerate() {
                    if kids.contains(&i) && kids.iter().all(|&c| finished.borrow()[c]) {
                        store.borrow_mut().defer_schedules(feed_index[p], false);
                        if !ok {
                            notify(Event::Fallback);
                        }
                    }
                }
            }
        }
    });
    futures::future::join_all(workers).await;
}

/// Reads one feed to its end. Returns false when it failed.
async fn load_feed(
    i: usize,
    feed_index: usize,
    info: &FeedInfo,
    store: &Rc<RefCell<Store>>,
    notify: &Rc<dyn Fn(Event)>,
) -> bool {
    let mut progress = FeedProgress {
        info: info.clone(),
        pages: 0,
        items: 0,
        skipped: 0,
        state: FeedState::Loading,
    };
    if is_failing(info) {
        let why = info
            .error
            .clone()
            .unwrap_or_else(|| "the publisher could not be reached".into());
        progress.state = FeedState::Failed(why);
        notify(Event::Progress(i, Box::new(progress)));
        return false;
    }
    notify(Event::Progress(i, Box::new(progress.clone())));
    let mut url = api::absolute(&info.url);
    loop {
        let bytes = match api::fetch_bytes(&url).await {
            Ok(b) => b,
            Err(e) => {
                progress.state = FeedState::Failed(format!("{} {e}", info.publisher));
                break;
            }
        };
        let page = match parse_page_model(&bytes, &url) {
            Ok(p) => p,
            Err(e) => {
                progress.state = FeedState::Failed(format!(
                    "{} sent a page that could not be read: {e}",
                    info.publisher
                ));
                break;
            }
        };
        progress.pages += 1;
        progress.items += page.report.items;
        progress.skipped += page.report.skipped.len();
        let changed = !page.items.is_empty();
        store.borrow_mut().apply_page(feed_index, &page);
        if page.is_last || progress.pages >= MAX_PAGES || page.next == url {
            progress.state = FeedState::Done;
        }
        notify(Event::Progress(i, Box::new(progress.clone())));
        if changed {
            notify(Event::DataChanged);
        }
        if progress.state == FeedState::Done {
            return true;
        }
        url = page.next;
    }
    notify(Event::Progress(i, Box::new(progress)));
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(kind: &str, publisher: &str) -> FeedInfo {
        FeedInfo {
            id: format!("{publisher}-{kind}"),
            kind: kind.into(),
            url: format!("/feeds/{publisher}-{kind}"),
            publisher: publisher.into(),
            dataset_url: Some(format!("https://{publisher}.example/")),
            license: None,
            status: "ok".into(),
            last_harvest: None,
            error: None,
        }
    }

    #[test]
    fn child_feeds_pair_series_with_the_same_publishers_sessions() {
        let feeds = [
            feed("SessionSeries", "a"),
            feed("SessionSeries", "b"),
            feed("FacilityUse", "a"),
            feed("ScheduledSession", "a"),
            feed("ScheduledSession", "b"),
            feed("Slot", "a"),
            feed("CourseInstance", "c"),
        ];
        assert_eq!(
            child_feeds(&feeds),
            [
                vec![3, 5],
                vec![4],
                vec![3, 5],
                vec![],
                vec![],
                vec![],
                vec![]
            ]
        );
    }

    #[test]
    fn feeds_are_read_publisher_by_publisher_parents_first() {
        let feeds = [
            feed("SessionSeries", "a"),
            feed("SessionSeries", "b"),
            feed("ScheduledSession", "a"),
            feed("ScheduledSession", "b"),
            feed("CourseInstance", "c"),
        ];
        assert_eq!(read_order(&feeds), [0, 2, 1, 3, 4]);
    }
}
