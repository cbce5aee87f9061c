//! Runs the real `bullpen` binary for integration tests: fresh data directory, a free port,
//! logs captured, stopped on drop.

#![allow(dead_code)]

#[macro_use]
pub mod harness;
pub mod people;
pub mod scratch_redis;
pub mod ws;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_bullpen");
pub const PROJECT_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A sentence the server sent (`{"key": …, "args": {…}}`) as a person reading `locale`
/// ("en", "de"…) sees it.
pub fn read_sentence(said: &serde_json::Value, locale: &str) -> String {
    let sentence: bullpen::kit::sentences::Sentence = serde_json::from_value(said.clone())
        .unwrap_or_else(|e| panic!("{said} is no sentence: {e}"));
    sentence.render(bullpen::kit::languages::locale_of(locale).expect("one of the app's languages"))
}

/// `bullpen` with a clean environment: only what the test passes, so a developer's `.env` or
/// shell variables cannot change the result.
pub fn bullpen(data_dir: &Path, env: &HashMap<&str, String>) -> Command {
    bullpen_at(Path::new(BIN), Path::new(PROJECT_DIR), data_dir, env)
}

/// [`bullpen`], for the binary `bin` started in the directory `cwd`.
pub fn bullpen_at(bin: &Path, cwd: &Path, data_dir: &Path, env: &HashMap<&str, String>) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("BULLPEN_DATA_DIR", data_dir)
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .kill_on_drop(true);
    cmd
}

pub struct TestServer {
    pub base: String,
    pub data_dir: PathBuf,
    /// Every line the server has written to its standard output so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    child: Child,
}

impl TestServer {
    /// Starts `bullpen serve` on a port the OS picks and waits until it listens.
    pub async fn start(data_dir: &Path, env: HashMap<&str, String>) -> TestServer {
        Self::start_at(Path::new(BIN), Path::new(PROJECT_DIR), data_dir, env).await
    }

    /// Starts `bin serve` in the directory `cwd` (see [`TestServer::start`]).
    pub async fn start_at(
        bin: &Path,
        cwd: &Path,
        data_dir: &Path,
        env: HashMap<&str, String>,
    ) -> TestServer {
        let mut env = env;
        env.insert("BULLPEN_ADDR", "127.0.0.1:0".into());
        let mut child = bullpen_at(bin, cwd, data_dir, &env)
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn bullpen");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read server output") {
                println!("[bullpen] {line}");
                log.lock().unwrap().push(line.clone());
                if let Some(at) = line.find("listening on http://") {
                    let addr = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap();
                    return addr
                        .trim_end_matches(|c: char| !c.is_ascii_digit())
                        .to_owned();
                }
            }
            panic!("bullpen exited before listening");
        })
        .await
        .expect("bullpen did not start listening within 60 s");
        // Keep draining the log so the server never blocks on a full pipe.
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                println!("[bullpen] {line}");
                kept.lock().unwrap().push(line);
            }
        });
        TestServer {
            base,
            data_dir: data_dir.to_owned(),
            log,
            child,
        }
    }

    /// The lines logged at ERROR so far.
    pub fn errors_logged(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains("ERROR"))
            .cloned()
            .collect()
    }

    /// The first log line containing `needle`, waiting up to 30 s for it to be written.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(line) = self.log.lock().unwrap().iter().find(|l| l.contains(needle)) {
                return line.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server logged nothing containing {needle:?} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The server's resident memory now, in KiB (Linux), from `/proc/<pid>/status`.
    pub fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("the server is running");
        let status =
            std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc is readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(self.url(path))
            .await
            .expect("request reaches the server")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Sends SIGTERM, as an orchestrator stopping the server does.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("the server is running");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        assert!(
            sent.expect("kill runs").success(),
            "SIGTERM reached the server"
        );
    }

    /// Waits up to `limit` for the server to exit: how it exited, if it did.
    pub async fn exited(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

/// The PostgreSQL server to test against, if any. Under CI a missing one fails the run.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: TEST_DATABASE_URL is not set, and under CI nothing may be skipped"
            );
            eprintln!(
                "SKIPPED {test}: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run it"
            );
            None
        }
    }
}

/// The Redis server to test against, if any. Under CI a missing one fails the run.
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: TEST_REDIS_URL is not set, and under CI nothing may be skipped"
            );
            eprintln!("SKIPPED {test}: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run it");
            None
        }
    }
}

/// A throw-away database on the PostgreSQL server of `TEST_DATABASE_URL`, dropped afterwards.
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    pub async fn create(admin_url: &str) -> ScratchDatabase {
        use sea_orm::ConnectionTrait;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("bullpen_test_{}_{nanos}", std::process::id());
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        ScratchDatabase {
            admin_url: admin_url.to_owned(),
            name,
        }
    }

    pub fn url(&self) -> String {
        let base = self
            .admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(&self.admin_url);
        format!("{base}/{}", self.name)
    }

    pub async fn drop_now(&self) {
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(&self.admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .unwrap();
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Leave no test databases behind, even when a test fails.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// A Redis key prefix no other test run uses: tests share the machine's Redis.
pub fn unique_prefix() -> String {
    format!(
        "test-{}-{}",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    )
}

/// One scratch PostgreSQL database and one Redis (under a prefix of its own) that several
/// instances share, as they would behind a load balancer.
pub struct SharedStore {
    pub scratch: ScratchDatabase,
    redis: String,
    prefix: String,
    /// The instances' data directories, kept while the store lives.
    dirs: std::sync::Mutex<Vec<tempfile::TempDir>>,
}

impl SharedStore {
    pub async fn create(database: &str, redis: &str) -> SharedStore {
        SharedStore {
            scratch: ScratchDatabase::create(database).await,
            redis: redis.to_owned(),
            prefix: unique_prefix(),
            dirs: Default::default(),
        }
    }

    /// What a process on the store is started with: the shared settings and `extra`.
    pub fn env(&self, extra: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        let mut env = HashMap::from([
            ("DATABASE_URL", self.scratch.url()),
            ("REDIS_URL", self.redis.clone()),
            ("REDIS_PREFIX", self.prefix.clone()),
            ("JWT_SECRET", harness::SECRET.to_string()),
        ]);
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        env
    }

    /// One more instance on the store, with `extra` settings besides the shared ones.
    pub async fn start(&self, extra: &[(&'static str, &str)]) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(dir.path(), self.env(extra)).await;
        self.dirs.lock().unwrap().push(dir);
        server
    }
}
