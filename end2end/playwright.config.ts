import { defineConfig, devices } from "@playwright/test";

// Runs against a Bullpen server that scripts/test starts (BULLPEN_E2E_URL), in Debian's
// Chromium: Playwright never downloads a browser here.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  // Most tests drive two people's browsers at once, two tests at a time on a 2-core machine
  // that may be busy: 30 s left the longest of them (files, notifications) a second short,
  // and on a slower CI machine 60 s cut the longest moderation story (two people, a report,
  // a warning, a deletion) short. A limit for a test that hangs, not a measure of speed.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BULLPEN_E2E_URL ?? "http://127.0.0.1:3000",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        // A microphone that plays a tone, allowed without asking: voice messages are recorded.
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        // Calls between two contexts of one browser: plain host candidates, not mDNS names
        // (nothing answers multicast in a container).
        "--disable-features=WebRtcHideLocalIpsWithMdns",
      ],
    },
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined } },
  ],
});
