//! Progress and Ctrl-C for long imports: a bar on stderr when it is a terminal (nothing when
//! piped or redirected, so scripts' logs stay clean), and a first Ctrl-C that asks the core
//! to stop and roll back instead of killing the process mid-write.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wardgis::io::ImportObserver;

/// Files smaller than this import too fast for a bar to help.
const BAR_FROM_BYTES: u64 = 8 << 20;

/// The observer of one import.
pub struct Terminal {
    bar: ProgressBar,
    interrupted: Arc<AtomicBool>,
}

impl Terminal {
    /// A bar for a file of `size` bytes; installs the Ctrl-C handler (once per process).
    pub fn new(size: u64) -> Terminal {
        let bar = if size >= BAR_FROM_BYTES {
            ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}")
                .expect("a valid template"),
        );
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = interrupted.clone();
        // A second Ctrl-C while the rollback runs is ignored: the rollback is what keeps the
        // project whole. An error here means a handler exists already (a second import in
        // one process); the first one's flag is then not ours, so say so rather than hang.
        if ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).is_err() {
            eprintln!("wardgis: warning: Ctrl-C will not stop this import cleanly");
        }
        Terminal { bar, interrupted }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ImportObserver for Terminal {
    fn progress(&self, done: u64, total: u64) {
        if total > 0 {
            self.bar.set_length(total);
        }
        self.bar.set_position(done);
    }

    fn cancelled(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
}
