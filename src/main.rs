//! Browser entry point: mounts the Activity Finder app (built by trunk).

fn main() {
    activity_finder::start();
}
