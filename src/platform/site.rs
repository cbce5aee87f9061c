//! Where the site's files (the WASM, its JS, the CSS, icons, the service worker) come from, so
//! that the release binary starts from any directory with nothing but environment settings:
//!
//! 1. `LEPTOS_SITE_ROOT`, when set (scripts/run and scripts/test point it at the built site);
//! 2. else the files carried inside the binary itself: `bullpen bundle` appends the built site
//!    to a copy of the binary, and at start they are unpacked into the data directory;
//! 3. else `site/` beside the binary's own directory — `target/site` for
//!    `target/release/bullpen` — wherever the binary is started from.
//!
//! The other Leptos options come from `Leptos.toml`, compiled in; `LEPTOS_*` variables still
//! override each one.

use std::{
    fs,
    io::{self, Read, Seek, SeekFrom, Write},
    path::{Component, Path, PathBuf},
};

use leptos::config::{get_config_from_str, LeptosOptions};

/// Ends a binary that carries its site: the archive's length (u64, little-endian), then this.
const MAGIC: &[u8; 8] = b"BPSITE01";
const TRAILER: u64 = 16;

/// The Leptos options, with `site_root` pointing at the site's files (see the module docs).
pub fn options(data_dir: &Path) -> Result<LeptosOptions, String> {
    let mut options = get_config_from_str(include_str!("../../Leptos.toml"))
        .map_err(|e| format!("bad Leptos options (Leptos.toml or LEPTOS_*): {e}"))?;
    if std::env::var_os("LEPTOS_SITE_ROOT").is_some() {
        return Ok(options);
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let root = match unpack_carried(&exe, data_dir)
        .map_err(|e| format!("cannot unpack the site carried in {}: {e}", exe.display()))?
    {
        Some(root) => root,
        None => {
            let beside = exe
                .parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("."))
                .join("site");
            if !beside.is_dir() {
                // Pages still render on the server; the browser gets no WASM, CSS or icons.
                tracing::warn!(
                    looked_in = %beside.display(),
                    "no site files: set LEPTOS_SITE_ROOT to the built site (target/site), or \
                     deploy a binary made by `bullpen bundle`"
                );
            }
            beside
        }
    };
    options.site_root = root.to_string_lossy().into_owned().into();
    Ok(options)
}

/// Writes `out`: this binary followed by every file under `site`. What `out` carries replaces
/// anything this binary already carried. Answers how many files went in.
pub fn bundle(site: &Path, out: &Path) -> io::Result<usize> {
    let exe = std::env::current_exe()?;
    let mut binary = fs::read(&exe)?;
    if let Some(archive) = carried_range(&binary) {
        binary.truncate(archive.start as usize);
    }
    let mut files = Vec::new();
    collect(site, site, &mut files)?;
    files.sort();
    let mut archive = Vec::new();
    for relative in &files {
        let bytes = fs::read(site.join(relative))?;
        let name = relative.to_string_lossy().replace('\\', "/");
        archive.extend_from_slice(&(name.len() as u32).to_le_bytes());
        archive.extend_from_slice(name.as_bytes());
        archive.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        archive.extend_from_slice(&bytes);
    }
    let mut file = fs::File::create(out)?;
    file.write_all(&binary)?;
    file.write_all(&archive)?;
    file.write_all(&(archive.len() as u64).to_le_bytes())?;
    file.write_all(MAGIC)?;
    file.sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(out, fs::Permissions::from_mode(0o755))?;
    }
    Ok(files.len())
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            files.push(
                path.strip_prefix(root)
                    .expect("below the root")
                    .to_path_buf(),
            );
        }
    }
    Ok(())
}

/// Where the carried archive sits in a binary's bytes, if it carries one.
fn carried_range(binary: &[u8]) -> Option<std::ops::Range<u64>> {
    let len = binary.len() as u64;
    if len < TRAILER || &binary[(len - 8) as usize..] != MAGIC {
        return None;
    }
    let size = u64::from_le_bytes(
        binary[(len - 16) as usize..(len - 8) as usize]
            .try_into()
            .ok()?,
    );
    let start = (len - TRAILER).checked_sub(size)?;
    Some(start..len - TRAILER)
}

/// Unpacks the site this binary carries into `<data_dir>/site-<fingerprint>` (once per
/// archive: a restart reuses it) and answers that directory; `None` when it carries none.
fn unpack_carried(exe: &Path, data_dir: &Path) -> io::Result<Option<PathBuf>> {
    let mut file = fs::File::open(exe)?;
    let len = file.metadata()?.len();
    if len < TRAILER {
        return Ok(None);
    }
    let mut trailer = [0u8; TRAILER as usize];
    file.seek(SeekFrom::Start(len - TRAILER))?;
    file.read_exact(&mut trailer)?;
    if &trailer[8..] != MAGIC {
        return Ok(None);
    }
    let size = u64::from_le_bytes(trailer[..8].try_into().expect("eight bytes"));
    let start = (len - TRAILER)
        .checked_sub(size)
        .ok_or_else(|| bad("the archive is longer than the binary"))?;
    let mut archive = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut archive)?;

    let root = data_dir.join(format!("site-{:016x}", fingerprint(&archive)));
    if root.join(".complete").exists() {
        return Ok(Some(root));
    }
    // Unpacked beside, then renamed: a half-written site is never served.
    let partial = data_dir.join(format!("site-partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&partial);
    if let Err(err) = unpack(&archive, &partial) {
        let _ = fs::remove_dir_all(&partial);
        return Err(err);
    }
    match fs::rename(&partial, &root) {
        Ok(()) => {}
        // Another instance sharing the data directory unpacked the same archive first.
        Err(_) if root.join(".complete").exists() => {
            let _ = fs::remove_dir_all(&partial);
        }
        Err(err) => return Err(err),
    }
    Ok(Some(root))
}

/// Writes every file of `archive` under `dir`.
fn unpack(archive: &[u8], dir: &Path) -> io::Result<()> {
    let mut at = 0usize;
    while at < archive.len() {
        let name_len = u32::from_le_bytes(take(archive, &mut at, 4)?.try_into().unwrap()) as usize;
        let name = std::str::from_utf8(take(archive, &mut at, name_len)?)
            .map_err(|_| bad("a file name is not UTF-8"))?
            .to_owned();
        let size = u64::from_le_bytes(take(archive, &mut at, 8)?.try_into().unwrap()) as usize;
        let bytes = take(archive, &mut at, size)?;
        let relative = Path::new(&name);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(bad("a file name leaves the site directory"));
        }
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().expect("a file has a directory"))?;
        fs::write(path, bytes)?;
    }
    fs::write(dir.join(".complete"), b"")
}

fn take<'a>(archive: &'a [u8], at: &mut usize, n: usize) -> io::Result<&'a [u8]> {
    let end = at
        .checked_add(n)
        .filter(|end| *end <= archive.len())
        .ok_or_else(|| bad("the archive is cut short"))?;
    let bytes = &archive[*at..end];
    *at = end;
    Ok(bytes)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// FNV-1a over the archive: tells one build's site from another's.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundled_binary_carries_its_site_and_unpacks_it_once() {
        let work = tempfile::tempdir().unwrap();
        let site = work.path().join("site");
        fs::create_dir_all(site.join("pkg")).unwrap();
        fs::write(site.join("pkg/bullpen.wasm"), b"\0asm wasm bytes").unwrap();
        fs::write(site.join("manifest.json"), b"{}").unwrap();
        let out = work.path().join("bullpen-one-file");
        assert_eq!(bundle(&site, &out).unwrap(), 2);

        let data = work.path().join("data");
        fs::create_dir_all(&data).unwrap();
        let root = unpack_carried(&out, &data)
            .unwrap()
            .expect("it carries a site");
        assert_eq!(
            fs::read(root.join("pkg/bullpen.wasm")).unwrap(),
            b"\0asm wasm bytes"
        );
        assert_eq!(fs::read(root.join("manifest.json")).unwrap(), b"{}");
        // A second start finds it unpacked.
        assert_eq!(unpack_carried(&out, &data).unwrap(), Some(root));
        // The plain test binary carries nothing.
        let exe = std::env::current_exe().unwrap();
        assert_eq!(unpack_carried(&exe, &data).unwrap(), None);
    }

    #[test]
    fn a_damaged_archive_is_refused_not_half_unpacked() {
        let work = tempfile::tempdir().unwrap();
        let mut bytes = b"not really a binary".to_vec();
        // Claims a file of 1,000 bytes and holds three.
        let mut archive = Vec::new();
        archive.extend_from_slice(&1u32.to_le_bytes());
        archive.push(b'a');
        archive.extend_from_slice(&1000u64.to_le_bytes());
        archive.extend_from_slice(b"abc");
        bytes.extend_from_slice(&archive);
        bytes.extend_from_slice(&(archive.len() as u64).to_le_bytes());
        bytes.extend_from_slice(MAGIC);
        let exe = work.path().join("damaged");
        fs::write(&exe, bytes).unwrap();
        let err = unpack_carried(&exe, work.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // Nothing is left behind: no site, no half-written directory.
        let left: Vec<_> = fs::read_dir(work.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("site-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_file_name_cannot_leave_the_site() {
        let work = tempfile::tempdir().unwrap();
        let mut archive = Vec::new();
        let name = b"../escape";
        archive.extend_from_slice(&(name.len() as u32).to_le_bytes());
        archive.extend_from_slice(name);
        archive.extend_from_slice(&1u64.to_le_bytes());
        archive.push(b'x');
        let mut bytes = b"binary".to_vec();
        bytes.extend_from_slice(&archive);
        bytes.extend_from_slice(&(archive.len() as u64).to_le_bytes());
        bytes.extend_from_slice(MAGIC);
        let exe = work.path().join("evil");
        fs::write(&exe, bytes).unwrap();
        let data = work.path().join("data");
        fs::create_dir_all(&data).unwrap();
        assert!(unpack_carried(&exe, &data).is_err());
        assert!(!work.path().join("escape").exists());
    }
}
