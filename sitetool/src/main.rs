//! `sitetool split` and `sitetool precompress`: the two steps of the site build
//! (`scripts/build-site`) that the registry's command-line tools do not do the way Leptos reads
//! them.
//!
//! - `split` cuts the browser WASM at its `#[lazy]` points into chunks, writes the loader under
//!   the name Leptos' hydration scripts import and the manifest they preload from, and prints
//!   the chunks' paths (wasm-opt shrinks each one next). With a limit, no split point loads
//!   more shared chunks than it: the splitter (vendored in `wasm-split/`, the one change marked)
//!   would otherwise make one per set of split points, hundreds of files of a few hundred bytes.
//! - `precompress` writes a `.br` and a `.gz` beside every file of the site, which the server
//!   sends to browsers that accept them (`ServeDir::precompressed_br`).

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

/// The loader's file name as Leptos' `HydrationScripts` asks for it when files are not hashed.
const SPLIT_LOADER: &str = "./__wasm_split.______________________.js";
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

const USAGE: &str = "usage:
  sitetool split <input.wasm> <pkg dir> <main out.wasm> <output name> [most chunks a split loads]
  sitetool precompress <site dir>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["split", input, pkg, main_out, name] => split(
            Path::new(input),
            Path::new(pkg),
            Path::new(main_out),
            name,
            None,
        ),
        ["split", input, pkg, main_out, name, most] => match most.parse::<usize>() {
            Ok(most) if most >= 1 => split(
                Path::new(input),
                Path::new(pkg),
                Path::new(main_out),
                name,
                Some(most),
            ),
            _ => Err(format!(
                "the most chunks a split loads is a number from 1 up, not {most:?}"
            )),
        },
        ["precompress", site] => precompress(Path::new(site)).map(|count| {
            println!("precompressed {count} changed files");
        }),
        _ => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sitetool: {error}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &Path,
    pkg: &Path,
    main_out: &Path,
    name: &str,
    most_chunks: Option<usize>,
) -> Result<(), String> {
    let wasm = fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    fs::create_dir_all(pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    let main_module = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = pkg;
        options.main_out_path = main_out;
        options.main_module = &main_module;
        options.link_name = SPLIT_LOADER;
        options.max_chunks_per_split = most_chunks;
        options
    })
    .map_err(|e| format!("splitting {} failed: {e:?}", input.display()))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)
        .map_err(|e| format!("cannot write the split manifest: {e}"))?;
    fs::write(pkg.join(SPLIT_MANIFEST), manifest)
        .map_err(|e| format!("cannot write the split manifest: {e}"))?;
    for chunk in split.split_modules {
        println!("{}", chunk.display());
    }
    Ok(())
}

/// Compresses every file under `dir` (what is already compressed is skipped); answers how many.
fn precompress(dir: &Path) -> Result<usize, String> {
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut count = 0;
    for file in &files {
        if is_compressed(file) {
            continue;
        }
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        write_beside(file, "gz", &gzip(&bytes)?)?;
        write_beside(file, "br", &brotli(&bytes)?)?;
        count += 1;
    }
    Ok(count)
}

/// Whether both compressed copies exist and are newer than the file (a rebuild that left the
/// file alone does not compress it again).
fn is_compressed(file: &Path) -> bool {
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(source) = modified(file) else {
        return false;
    };
    ["gz", "br"]
        .iter()
        .all(|extension| modified(&beside(file, extension)).is_some_and(|copy| copy >= source))
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("br" | "gz" | "png" | "jpg" | "woff2")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

/// `file` with `.extension` added (`bullpen.wasm` → `bullpen.wasm.br`).
fn beside(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    name.into()
}

fn write_beside(file: &Path, extension: &str, bytes: &[u8]) -> Result<(), String> {
    let path = beside(file, extension);
    fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::{io::Read, time::Duration};

    use super::*;

    /// A fresh directory of its own under the system's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sitetool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("pkg")).unwrap();
        dir
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
        out
    }

    #[test]
    fn precompress_writes_both_copies_that_decode_to_the_file() {
        let dir = scratch("both");
        let script = "export function hydrate() { return 42; }\n".repeat(200);
        fs::write(dir.join("pkg/bullpen.js"), &script).unwrap();
        fs::write(dir.join("manifest.json"), "{}").unwrap();
        fs::write(dir.join("icon.png"), [0x89, b'P', b'N', b'G']).unwrap();

        assert_eq!(precompress(&dir).unwrap(), 2);

        let js = dir.join("pkg/bullpen.js");
        let gz = fs::read(beside(&js, "gz")).unwrap();
        let br = fs::read(beside(&js, "br")).unwrap();
        assert_eq!(gunzip(&gz), script.as_bytes());
        assert_eq!(unbrotli(&br), script.as_bytes());
        assert!(br.len() < script.len() / 10, "a repetitive script shrinks");
        // Images are compressed already: no copies, and the copies are not compressed again.
        assert!(!beside(&dir.join("icon.png"), "br").exists());
        assert!(!dir.join("pkg/bullpen.js.br.br").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn precompress_redoes_only_the_files_that_changed() {
        let dir = scratch("again");
        fs::write(dir.join("a.css"), "body { color: red }").unwrap();
        fs::write(dir.join("b.css"), "main { margin: 0 }").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 2);
        assert_eq!(precompress(&dir).unwrap(), 0, "nothing changed");

        // A rebuild writes a.css anew, later than its copies.
        std::thread::sleep(Duration::from_millis(20));
        fs::write(dir.join("a.css"), "body { color: blue }").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1);
        let br = fs::read(dir.join("a.css.br")).unwrap();
        assert_eq!(unbrotli(&br), b"body { color: blue }");

        // A lost copy is written again.
        fs::remove_file(dir.join("b.css.gz")).unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1);
        assert!(dir.join("b.css.gz").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn precompress_names_a_missing_directory() {
        let missing = std::env::temp_dir().join("sitetool-no-such-site");
        let error = precompress(&missing).unwrap_err();
        assert!(error.contains("cannot list") && error.contains("sitetool-no-such-site"));
    }

    #[test]
    fn split_refuses_what_is_not_a_wasm_and_writes_no_manifest() {
        let dir = scratch("split");
        let input = dir.join("bullpen.wasm");
        fs::write(&input, b"not a wasm module").unwrap();
        let error = split(
            &input,
            &dir.join("pkg"),
            &dir.join("main.wasm"),
            "bullpen",
            Some(24),
        )
        .unwrap_err();
        assert!(
            error.contains("splitting") && error.contains("bullpen.wasm"),
            "{error}"
        );
        assert!(!dir.join("pkg").join(SPLIT_MANIFEST).exists());
        assert!(!dir.join("main.wasm").exists());

        let error = split(
            &dir.join("absent.wasm"),
            &dir.join("pkg"),
            &dir.join("m.wasm"),
            "b",
            None,
        )
        .unwrap_err();
        assert!(error.contains("cannot read"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
