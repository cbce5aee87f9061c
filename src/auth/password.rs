//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane).
//!
//! A hash is slow and takes 19 MiB on purpose, so a burst of sign-ins must not run hundreds of
//! them at once: hashing runs on a few threads of its own (`HASH_CONCURRENCY`) fed by a bounded
//! queue (`HASH_QUEUE`). Memory stays at `threads × 19 MiB` whatever arrives, the async workers
//! keep answering everything else, and a request that finds the queue full — or that waited in
//! it longer than [`MAX_WAIT`] — is answered 503 with `Retry-After` instead of waiting without
//! bound. A request whose caller went away is dropped from the queue unhashed. Sign-ins are
//! also admitted at the door ([`admit`]): no more are under way at once than the threads and
//! the queue can serve, so a burst holds neither memory nor database work beyond that.

use std::{
    sync::{
        mpsc::{self, SyncSender, TrySendError},
        Arc, Mutex, OnceLock,
    },
    time::{Duration, Instant},
};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use crate::platform::{config::Config, error::AppError};

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// The longest a hash may wait in the queue; a request still waiting then is told to retry.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// What a refused request is told to wait.
const RETRY_AFTER_SECS: u64 = 1;

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many hashes run at once and how many may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    pub threads: usize,
    pub queue: usize,
}

impl HashingLimits {
    /// From `HASH_CONCURRENCY` and `HASH_QUEUE` (whose defaults size them for the machine).
    pub fn from_config(config: &Config) -> Self {
        Self {
            threads: config.hash_threads,
            queue: config.hash_queue,
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    jobs: SyncSender<(Instant, Job)>,
    limits: HashingLimits,
    /// Sign-ins being handled, from their first step: as many as the threads and the queue
    /// can take. A sign-in waiting for the database or a hash holds its request's memory too
    /// (hundreds of KiB), so the door is where a burst must stop, not only the hashing queue.
    admission: Arc<Semaphore>,
}

/// A place among the sign-ins being handled, held until the sign-in ends.
#[must_use = "the place is given back when this is dropped"]
pub struct Admitted(#[allow(dead_code)] OwnedSemaphorePermit);

/// Lets a sign-in (or sign-up) in, or answers 503 busy at once when as many are under way as
/// hashing can serve: a burst is refused at the door, before it holds any memory or work.
pub fn admit() -> Result<Admitted, AppError> {
    Arc::clone(&pool().admission)
        .try_acquire_owned()
        .map(Admitted)
        .map_err(|_| {
            tracing::warn!("too many sign-ins at once; one was asked to retry");
            AppError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            }
        })
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// Starts the hashing threads with these limits; the first call wins (the server calls it at
/// start, before any request). Without it (unit tests), the first hash starts one thread.
pub fn configure(limits: HashingLimits) -> HashingLimits {
    pool_with(limits).limits
}

fn pool() -> &'static Pool {
    pool_with(HashingLimits {
        threads: 1,
        queue: 32,
    })
}

fn pool_with(limits: HashingLimits) -> &'static Pool {
    POOL.get_or_init(|| Pool::start(limits))
}

impl Pool {
    fn start(limits: HashingLimits) -> Pool {
        let (jobs, queue) = mpsc::sync_channel::<(Instant, Job)>(limits.queue);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..limits.threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    yield_to_everything_else();
                    serve_jobs(&queue)
                })
                .expect("a password-hashing thread starts");
        }
        Pool {
            jobs,
            limits,
            admission: Arc::new(Semaphore::new(limits.threads.max(1) + limits.queue)),
        }
    }

    /// Runs `work` on a hashing thread: its answer, or 503 when the queue is full or the job
    /// waited in it too long.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || AppError::Busy {
            retry_after_secs: RETRY_AFTER_SECS,
        };
        let (reply, answer) = oneshot::channel();
        let enqueued = Instant::now();
        let job: Job = Box::new(move || {
            if reply.is_closed() {
                return; // The caller is gone: nobody reads the answer.
            }
            let result = if enqueued.elapsed() > MAX_WAIT {
                Err(busy())
            } else {
                work()
            };
            let _ = reply.send(result);
        });
        match self.jobs.try_send((enqueued, job)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("password hashing queue full; a sign-in was asked to retry");
                return Err(busy());
            }
            Err(TrySendError::Disconnected(_)) => return Err(AppError::Internal),
        }
        answer.await.map_err(|_| AppError::Internal)?
    }
}

/// A hashing thread's life: one job after another until the pool is gone. The lock is held
/// only while waiting for the next job.
fn serve_jobs(queue: &Mutex<mpsc::Receiver<(Instant, Job)>>) {
    loop {
        let next = queue
            .lock()
            .map_err(drop)
            .and_then(|q| q.recv().map_err(drop));
        let Ok((_, job)) = next else { return };
        job();
    }
}

/// How much less CPU a hashing thread asks for than everything else (a Unix nice value).
pub const HASHING_NICENESS: i32 = 10;

/// Lowers the calling thread's CPU priority. A burst of sign-ins keeps the hashing threads busy
/// for seconds; at the same priority as the async workers they would share the cores evenly
/// with them and a health check or a chat message could wait a whole scheduler slice behind a
/// hash. At nice 10 a contended core goes about nine parts in ten to the workers, and hashing
/// still gets every cycle nobody else wants.
fn yield_to_everything_else() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority only read and set the calling thread's own scheduling
    // attributes; on Linux a thread id as PRIO_PROCESS's `who` means that one thread.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        if libc::setpriority(libc::PRIO_PROCESS, thread, HASHING_NICENESS) != 0 {
            tracing::debug!("cannot lower a password-hashing thread's priority");
        }
    }
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of a new password.
pub async fn hash(password: String) -> Result<String, AppError> {
    pool()
        .run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|err| {
                    tracing::error!(error = %err, "password hashing failed");
                    AppError::Internal
                })
        })
        .await
}

/// Whether `password` matches `phc`. With no stored hash (unknown account) a dummy hash is
/// checked anyway, so that the answer takes as long either way.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    pool()
        .run(move || {
            let phc = phc.unwrap_or_else(|| DUMMY_HASH.to_owned());
            let parsed = PasswordHash::new(&phc).map_err(|err| {
                tracing::error!(error = %err, "a stored password hash cannot be parsed");
                AppError::Internal
            })?;
            Ok(argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
                && phc != DUMMY_HASH)
        })
        .await
}

/// The hash of a random password nobody knows, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YnVsbHBlbmR1bW15c2FsdA$3c4ZJ8n3o+3N7c8gEo0Qw0m8b9Yc3bJ0a4cS5m5yJ2A";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(phc.clone()))
            .await
            .unwrap());
        // Two hashes of one password differ (random salt).
        assert_ne!(hash("correct horse battery".into()).await.unwrap(), phc);
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_beyond_the_queue_is_told_to_retry_and_the_rest_is_answered() {
        // A pool of its own, so that the other tests' hashes are not refused.
        let limits = HashingLimits {
            threads: 1,
            queue: 8,
        };
        let pool = Pool::start(limits);
        let check = || {
            pool.run(|| {
                Ok(argon2()
                    .verify_password(b"wrong", &PasswordHash::new(DUMMY_HASH).unwrap())
                    .is_ok())
            })
        };
        let burst = limits.threads + limits.queue + 40;
        let answers = futures::future::join_all((0..burst).map(|_| check())).await;
        let refused = answers
            .iter()
            .filter(
                |a| matches!(a, Err(AppError::Busy { retry_after_secs }) if *retry_after_secs >= 1),
            )
            .count();
        let checked = answers.iter().filter(|a| matches!(a, Ok(false))).count();
        assert_eq!(
            refused + checked,
            burst,
            "every answer is a check or a retry"
        );
        assert!(
            refused >= 40,
            "at most threads + queue are taken at once: {refused} refused"
        );
        // And the pool is healthy afterwards.
        assert_eq!(check().await, Ok(false));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_below_everything_else() {
        hash("any password at all".into()).await.unwrap();
        // /proc/self/task/<tid>/stat: "tid (name) state …", nice is the 19th field overall,
        // the 17th after the closing parenthesis of the name.
        let mut seen = 0;
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            // Another test's thread may end between the listing and the read.
            let Ok(stat) = std::fs::read_to_string(task.unwrap().path().join("stat")) else {
                continue;
            };
            let (name, after) = stat.split_once(") ").unwrap();
            if !name.contains("password-hash") {
                continue;
            }
            let nice: i32 = after.split(' ').nth(16).unwrap().parse().unwrap();
            assert_eq!(nice, HASHING_NICENESS, "{stat}");
            seen += 1;
        }
        assert!(seen >= 1, "a hashing thread is running");
    }
}
