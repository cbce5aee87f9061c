//! Giving freed memory back to the operating system.
//!
//! glibc's allocator keeps what a burst freed (hundreds of concurrent requests, a few hundred
//! KiB each) for reuse instead of returning it: measured, a burst of 200 sign-ins left the
//! process 130 MiB above idle for good, all of it free inside the allocator (`malloc_trim`
//! brought it back to idle at once). A trim every few seconds makes "back to idle after a
//! burst" true; when nothing is free it costs microseconds.
//!
//! A trim does not reach the free top of the allocator's per-thread arenas, which glibc keeps up
//! to a threshold it raises each time a large block is freed: ten image previews at once (4 MB
//! each, on ten threads) left 50 MiB behind that way. Large blocks are therefore always mapped
//! on their own and unmapped when freed ([`LARGE_BLOCK_BYTES`]), which also keeps the threshold
//! where it is.

use std::time::Duration;

/// How often freed memory is handed back.
pub const TRIM_EVERY: Duration = Duration::from_secs(5);
/// Blocks of at least this size are mapped on their own, and go back when freed.
pub const LARGE_BLOCK_BYTES: usize = 1024 * 1024;

/// Large blocks mapped on their own (glibc on Linux; elsewhere nothing to do).
fn map_large_blocks_alone() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tunables; it takes the allocator's own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES as libc::c_int);
    }
}

/// Returns the allocator's free memory to the operating system (glibc on Linux; elsewhere the
/// allocator does it by itself and this does nothing).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases pages the allocator holds free; it takes the
    // allocator's own locks and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs for the life of the server: maps large blocks alone, and trims on every tick, off the
/// async workers.
pub async fn keep_trimmed() {
    map_large_blocks_alone();
    let mut tick = tokio::time::interval(TRIM_EVERY);
    loop {
        tick.tick().await;
        let _ = tokio::task::spawn_blocking(release_free_memory).await;
    }
}
