//! One file deploys anywhere: `bullpen bundle` writes a binary that carries the built site, and
//! that binary serves pages, the site's files and `/health` from a directory holding nothing
//! of the project (no Leptos.toml, no Cargo.toml, no site/), with only environment settings.

use std::{collections::HashMap, fs, path::Path, process::Stdio};

use crate::common::{TestServer, BIN};

/// A small built site: what `scripts/build-site` puts in target/site, in miniature.
fn small_site(root: &Path) {
    fs::create_dir_all(root.join("pkg")).unwrap();
    fs::write(
        root.join("pkg/bullpen.wasm"),
        b"\0asm carried inside the binary",
    )
    .unwrap();
    fs::write(
        root.join("pkg/bullpen.js"),
        b"export default function init() {}",
    )
    .unwrap();
    fs::write(root.join("charts.js"), b"// charts").unwrap();
}

async fn bundle(site: &Path, out: &Path) -> std::process::Output {
    tokio::process::Command::new(BIN)
        .args(["bundle", "--site"])
        .arg(site)
        .arg("--out")
        .arg(out)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bundled_binary_serves_its_site_from_an_empty_directory() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    small_site(&site);
    let deployed = work.path().join("deploy");
    fs::create_dir_all(&deployed).unwrap();
    let binary = deployed.join("bullpen");
    let made = bundle(&site, &binary).await;
    assert!(made.status.success(), "{made:?}");
    // The site is inside the file now: the directory it came from can go.
    fs::remove_dir_all(&site).unwrap();

    let empty = work.path().join("elsewhere");
    fs::create_dir_all(&empty).unwrap();
    let data = work.path().join("data");
    let server = TestServer::start_at(&binary, &empty, &data, HashMap::new()).await;

    let health = server.get("/health").await;
    assert_eq!(health.status(), 200);
    let wasm = server.get("/pkg/bullpen.wasm").await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(
        wasm.headers()["content-type"],
        "application/wasm",
        "served as WASM"
    );
    assert_eq!(
        wasm.bytes().await.unwrap().as_ref(),
        b"\0asm carried inside the binary"
    );
    let page = server.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/pkg/bullpen.js"));
    assert!(
        server.errors_logged().is_empty(),
        "{:?}",
        server.errors_logged()
    );
}

#[tokio::test]
async fn bundling_something_that_is_not_a_built_site_is_refused_clearly() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("bullpen");
    let refused = bundle(&work.path().join("no-such-site"), &out).await;
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("is not a built site"), "{said}");
    assert!(!out.exists(), "nothing is written");
}
