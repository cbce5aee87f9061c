# What scripts/test and the inner-loop scripts (scripts/lint, scripts/test-rust,
# scripts/test-e2e) share: the lints, a counted Rust test run, and the end-to-end server with
# Playwright. Sourced after setup.sh.

# Formatting, the one-feature-set check and clippy on both builds in check mode: the lints on
# their own, for people at work (scripts/lint). scripts/test runs the same clippy inside the
# builds it makes anyway (`with_lints`), not in a check of its own.
lint() {
  quick_lints
  cargo clippy --workspace --all-targets --features bullpen/ssr -- -D warnings
  cargo clippy --package bullpen --lib --no-default-features --features hydrate \
    --target wasm32-unknown-unknown -- -D warnings
}
quick_lints() {
  cargo fmt --all --check
  "$ROOT/scripts/check-features"
}

# Runs a cargo command with clippy as the compiler of the workspace's own crates, denying every
# warning: the lints of `cargo clippy -D warnings`, during a build that compiles the ~500
# dependencies once for the tests as well, where a separate `cargo clippy` would compile them a
# second time in check mode. (`CLIPPY_ARGS` is how `cargo clippy` itself hands clippy-driver its
# arguments.)
with_lints() {
  RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" "$@"
}

FAILED_NAMES="$(mktemp)"

# The EXIT trap of the test scripts: stop what they started, print where the time went, and
# last of all the names of the failed end-to-end tests.
finish() {
  kill ${E2E_SERVER_PID:-} ${APERTIUM_PID:-} ${SITE_BUILD_PID:-} 2>/dev/null || true
  step_table
  if [ -s "$FAILED_NAMES" ]; then
    echo "--- failed"
    cat "$FAILED_NAMES"
  fi
  rm -f "$FAILED_NAMES"
}

# `cargo test ARGS…`, its output kept, the tests that passed added to STEP_TESTS.
counted_cargo_test() {
  local out
  out="$(mktemp)"
  local status=0
  cargo test "$@" 2>&1 | tee "$out" || status=$?
  local passed
  passed="$(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed.*/\1/p' "$out" | awk '{ n += $1 } END { print n + 0 }')"
  STEP_TESTS=$((${STEP_TESTS:-0} + passed))
  rm -f "$out"
  return $status
}

# What the server's tests build: the library, its unit tests, the integration tests (one binary,
# tests/integration/main.rs), the debug `bullpen` binary they start (and the end-to-end tests run)
# and the benchmark (run once, as a test); beside them the evaluation example, compiled.
SERVER_TESTS=(--package bullpen --features ssr --lib --test integration --bench indicators)

# The server's tests, built with clippy (scripts/test). Filters after the arguments pick tests
# by name (`chat::` is one module).
build_server_tests() {
  with_lints cargo test "${SERVER_TESTS[@]}" --no-run
  with_lints cargo build --package bullpen --features ssr --example evaluate
}
server_tests() {
  with_lints counted_cargo_test "${SERVER_TESTS[@]}" "$@"
}
# The same without clippy (scripts/test-rust): a shorter inner loop.
rust_tests() {
  counted_cargo_test --package bullpen --features ssr --lib --test integration "$@"
}

# The workspace's small crates, built with clippy: the site tool (splitting, precompression),
# the sentence encoder's kernels, the load generator's own tests in its bare mode, and its
# modes that link Bullpen compiled.
tool_tests() {
  with_lints counted_cargo_test --package sitetool
  with_lints counted_cargo_test --package encoder
  with_lints counted_cargo_test --package loadgen --no-default-features
  with_lints cargo build --package loadgen
}

# The site build (scripts/build-site --site-only, with clippy) in the background, at a lower
# priority, while the Rust tests run: they leave a core idle most of the time, and so does the
# WASM's link-time optimisation, which runs on one. Its output waits in a file until
# `wait_site_build`.
start_site_build() {
  SITE_BUILD_LOG="$(mktemp)"
  with_lints nice -n 10 "$ROOT/scripts/build-site" --site-only >"$SITE_BUILD_LOG" 2>&1 &
  SITE_BUILD_PID=$!
  say "the site build runs beside the tests (its log follows when it is waited for)"
}
wait_site_build() {
  local status=0
  wait "$SITE_BUILD_PID" || status=$?
  SITE_BUILD_PID=""
  if [ $status -eq 0 ]; then
    grep -a "==>" "$SITE_BUILD_LOG" || true
  else
    tail -n 80 "$SITE_BUILD_LOG"
  fi
  rm -f "$SITE_BUILD_LOG"
  return $status
}

# The debug server the integration tests built. Its code is the release build's (erased
# components as well); only the optimisation differs (docs/TESTING.md: "Which server the end-to-end
# tests run").
e2e_server_binary() {
  echo "$(target_dir)/debug/bullpen"
}

# Starts the end-to-end server on a fresh data directory and runs Playwright (ARGS: specs or
# Playwright options; none: every spec). The site must be built (scripts/build-site).
playwright() {
  local data_dir port log report status=0
  data_dir="$(mktemp -d)"
  port="${BULLPEN_E2E_PORT:-3917}"
  log="$data_dir/server.log"
  start_apertium "${BULLPEN_E2E_APERTIUM_PORT:-2739}" "$data_dir/apertium.log"
  # Every person of the suite signs up from 127.0.0.1: the per-address sign-up limit (tested in
  # tests/integration/auth_pressure.rs) would stop the eleventh, so it is off for this server only. The
  # analytics roll-up and the badge job run every 2 s, so that their specs see them soon. The
  # offline market runs on a clock set to 10:00 in New York on the last weekday, so that prices
  # move (live-prices.spec.ts) at any hour of the run.
  local market_day
  market_day="$(date -u +%F)"
  while [ "$(date -u -d "$market_day" +%u)" -gt 5 ]; do market_day="$(date -u -d "$market_day - 1 day" +%F)"; done
  BULLPEN_DATA_DIR="$data_dir" BULLPEN_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$(site_root)" RUST_LOG=info SIGNUP_RATE_LIMIT=0 ANALYTICS_ROLLUP_SECS=2 ACHIEVEMENT_SECS=2 MARKET_CLOCK="${market_day}T15:00:00Z" \
    "$(e2e_server_binary)" serve >"$log" 2>&1 &
  E2E_SERVER_PID=$!
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 $E2E_SERVER_PID 2>/dev/null || { cat "$log"; die "the server exited before it was healthy"; }
    sleep 0.2
  done
  # On a failure the server's warnings come first and Playwright's summary last, so the tail of
  # a CI log names the failing tests.
  report="$data_dir/playwright.log"
  (cd "$ROOT/end2end" && BULLPEN_E2E_URL="http://127.0.0.1:$port" npx playwright test "$@" 2>&1 | tee "$report"; exit "${PIPESTATUS[0]}") || status=$?
  STEP_TESTS=$((${STEP_TESTS:-0} + $(sed -n 's/^ *\([0-9]*\) passed.*/\1/p' "$report" | tail -n1 | awk '{ print $1 + 0 }')))
  kill $E2E_SERVER_PID 2>/dev/null || true
  if [ $status -ne 0 ]; then
    echo "--- server warnings and errors (last 30)"
    grep -E "WARN|ERROR" "$log" | tail -n 30 || true
    echo "--- failing tests"
    sed -n '/[0-9]\+ failed/,$p' "$report"
    grep -E "✘" "$report" || true
    # What each one said, last, so that a log cut in the middle still ends with the reason.
    echo "--- what they said"
    awk '/^  [0-9]+\) \[/ { shown = 0; on = 1 } on && shown < 30 && !/test-results\/|^ *$/ { print; shown++ }' "$report" | grep -v "attachment #\|────\|Usage:\|show-trace" | head -n 120 || true
    # And the names alone, the very last lines (after the table of steps, see `finish`), for a
    # log that keeps only its end.
    grep -E "^  [0-9]+\) \[" "$report" >"$FAILED_NAMES" || true
  fi
  rm -rf "$data_dir"
  return $status
}
