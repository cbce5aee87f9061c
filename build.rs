//! Generates the typed `i18n` module from `src/kit/locales/*.json` (leptos_i18n).
//! A key missing from one language, or an unknown key in `t!`, is a compile error.

use leptos_i18n_build::{Config, TranslationsInfos};
use std::path::PathBuf;

/// The UI languages; the first is the default and the fallback.
const LOCALES: [&str; 5] = ["en", "tr", "es", "fr", "de"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let config = Config::new(LOCALES[0])
        .and_then(|c| c.add_locales(&LOCALES[1..]))
        .expect("valid locale identifiers")
        .locales_path("src/kit/locales");
    let infos = match TranslationsInfos::parse(config) {
        Ok(infos) => infos,
        Err(err) => panic!("could not read the translations in src/kit/locales: {err}"),
    };
    infos.rerun_if_locales_changed();
    infos.emit_diagnostics();
    infos
        .generate_i18n_module(out_dir.join("i18n"))
        .expect("write the generated i18n module");
}
