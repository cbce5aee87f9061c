// Lists the /pkg files (WASM, JS, CSS) Chromium fetches to open each page directly, after the
// page has settled (split WASM chunks are fetched by the main module while it hydrates).
// Usage: node measure-pages.mjs BASE_URL PATH... — prints one JSON object: { path: [urls] }.
import { chromium } from "@playwright/test";

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"],
});
const loaded = {};
for (const path of paths) {
  // A fresh context each time: nothing cached, no service worker yet.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  const urls = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/pkg/")) urls.add(url.pathname);
  });
  await page.goto(base + path, { waitUntil: "networkidle" });
  // Hydrated: the shell marks <body data-hydrated> once the WASM runs.
  await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  loaded[path] = [...urls].sort();
  await context.close();
}
await browser.close();
console.log(JSON.stringify(loaded));
