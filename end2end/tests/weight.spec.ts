import * as http from "node:http";
import { test, expect, person } from "./helpers";

/**
 * What a browser transfers to open each page directly, brotli-compressed as an https browser
 * receives it: every /pkg file (WASM, JS, CSS) Chromium fetches until the page has hydrated and
 * settled, weighed as the server sends it. Bytes are deterministic, unlike timings: a page that
 * grows past its budget fails here, with the figures printed (docs/PERFORMANCE.md,
 * "First-page weight"; `scripts/measure-first-page` prints the same against any server).
 */
const FILES_MAX = 40;
// Today's figures and 3 % (2026-11-28, issue 46), so that nothing grows unnoticed; the targets
// — the home page at most 300,000 B, a channel opened directly 450,000 B — are not met yet
// (docs/PERFORMANCE.md says what is left). Lower a budget when a page gets lighter. The channel
// is a new community's, empty: what the other specs post elsewhere (prices under a message
// start the live feed, and its code) must not move the figure.
const CHANNEL = "a new community's #general";
const budgets: { path: string; bytes: number }[] = [
  { path: "/", bytes: 361_000 },
  { path: CHANNEL, bytes: 886_000 },
  { path: "/communities", bytes: 484_000 },
  { path: "/markets", bytes: 586_000 },
  { path: "/markets/AAPL", bytes: 692_000 },
  { path: "/signin", bytes: 420_000 },
];

/** The bytes the server sends for `url` to a browser that accepts brotli. */
function transferred(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "Accept-Encoding": "br, gzip" } }, (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("end", () => resolve(bytes));
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

test.describe("first-page weight", () => {
  for (const { path, bytes: budget } of budgets) {
    test(`${path} loads at most ${budget} B of brotli in at most ${FILES_MAX} files`, async ({ browser, baseURL }) => {
      let address = path;
      if (path === CHANNEL) {
        const owner = await person(browser, `weigh_${Date.now().toString(36)}`, "Wen Weigh");
        const made = await owner.request.post("/api/communities/create", {
          data: { community: { name: `Weighed ${Date.now()}`, description: "", iconColor: "#16a34a", visibility: "public" } },
        });
        expect(made.status(), await made.text()).toBe(200);
        address = `/c/${(await made.json()).slug}/general`;
      }
      // A fresh context: nothing cached, no service worker yet.
      const context = await browser.newContext({ serviceWorkers: "block" });
      const page = await context.newPage();
      const files = new Set<string>();
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith("/pkg/")) files.add(url.pathname);
      });
      await page.goto(address, { waitUntil: "networkidle" });
      await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
      await page.waitForLoadState("networkidle");
      const sizes = await Promise.all([...files].map(async (file) => [file, await transferred(`${baseURL}${file}`)] as const));
      const total = sizes.reduce((sum, [, size]) => sum + size, 0);
      const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5);
      console.log(
        `${path}: ${total} B in ${files.size} files (budget ${budget} B, ${FILES_MAX} files); largest: ` +
          largest.map(([file, size]) => `${file} ${size} B`).join(", "),
      );
      expect(files.size, `${path}: files fetched before it hydrated`).toBeLessThanOrEqual(FILES_MAX);
      expect(total, `${path}: brotli bytes`).toBeLessThanOrEqual(budget);
      await context.close();
    });
  }
});
