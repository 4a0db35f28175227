//! Reads every feed the proxy relays, page by page, a few feeds at a time; each page is parsed
//! and joined as it arrives so results show while the rest stream in. A failing feed is marked
//! failing and never blocks the others.

use crate::api::{self, FeedInfo};
use openactive::Dataset;
use openactive::join::Store;
use openactive::rpde::parse_page;
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
    /// New data is in the store: rebuild the index.
    DataChanged,
}

/// Reads all feeds into `store`, calling `notify` as pages arrive. Returns when every feed has
/// finished or failed.
pub async fn load_all(feeds: Vec<FeedInfo>, store: Rc<RefCell<Store>>, notify: Rc<dyn Fn(Event)>) {
    let queue: Rc<RefCell<VecDeque<(usize, usize)>>> = Rc::new(RefCell::new(VecDeque::new()));
    for (i, f) in feeds.iter().enumerate() {
        let dataset = Dataset {
            publisher: f.publisher.clone(),
            url: f.dataset_url.clone(),
            license: f.license.clone(),
        };
        let feed_index = store.borrow_mut().add_feed(dataset);
        queue.borrow_mut().push_back((i, feed_index));
    }
    let feeds = Rc::new(feeds);
    let workers = (0..CONCURRENCY.min(feeds.len())).map(|_| {
        let (queue, feeds, store, notify) =
            (queue.clone(), feeds.clone(), store.clone(), notify.clone());
        async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some((i, feed_index)) = next else { break };
                load_feed(i, feed_index, &feeds[i], &store, &notify).await;
            }
        }
    });
    futures::future::join_all(workers).await;
}

async fn load_feed(
    i: usize,
    feed_index: usize,
    info: &FeedInfo,
    store: &Rc<RefCell<Store>>,
    notify: &Rc<dyn Fn(Event)>,
) {
    let mut progress = FeedProgress {
        info: info.clone(),
        pages: 0,
        items: 0,
        skipped: 0,
        state: FeedState::Loading,
    };
    if info.status == "failing" || info.status == "gone" {
        let why = info
            .error
            .clone()
            .unwrap_or_else(|| "the publisher could not be reached".into());
        progress.state = FeedState::Failed(why);
        notify(Event::Progress(i, Box::new(progress)));
        return;
    }
    notify(Event::Progress(i, Box::new(progress.clone())));
    let mut url = api::absolute(&info.url);
    loop {
        let text = match api::fetch_text(&url).await {
            Ok(t) => t,
            Err(e) => {
                progress.state = FeedState::Failed(format!("{} {e}", info.publisher));
                break;
            }
        };
        let page = match parse_page(&text, &url) {
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
            return;
        }
        url = page.next;
    }
    notify(Event::Progress(i, Box::new(progress)));
}
