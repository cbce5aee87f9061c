import { test as base, expect, Browser, BrowserContextOptions, Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Playwright's `test`, and one thing more: every browser context a test opens itself (each
 * `person`) is closed when the test ends. Playwright closes only the contexts of its own
 * fixtures; the others lived until their worker ended, so each worker carried every earlier
 * test's people — their sockets open, their prices ticking — and the suite slowed as it went,
 * until a step of a late test ran past its time.
 */
export const test = base.extend<{ closesWhatItOpens: void }>({
  closesWhatItOpens: [
    async ({ browser }, use) => {
      const before = new Set(browser.contexts());
      await use();
      const opened = browser.contexts().filter((context) => !before.has(context));
      await Promise.all(opened.map((context) => context.close()));
    },
    { auto: true },
  ],
});
export { expect };

/** Opens a page and waits until the WASM has hydrated it (the app marks <body data-hydrated>). */
export async function openHydrated(page: Page, url: string) {
  const response = await page.goto(url);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  return response;
}

/** Reloads and waits for hydration: a click before it lands on a page with no handlers yet. */
export async function reloadHydrated(page: Page) {
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

/** Saves a screenshot as a test artifact in end2end/artifacts/. */
export async function saveScreenshot(page: Page, name: string, fullPage = true) {
  const dir = path.join(__dirname, "..", "artifacts");
  fs.mkdirSync(dir, { recursive: true });
  // Sticky bars are drawn where the viewport is: scroll home so a full-page shot looks real.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
}

/** A signed-in person in a browser context of their own (a phone's, with `device`). */
export async function person(
  browser: Browser,
  username: string,
  displayName: string,
  language = "en",
  device: BrowserContextOptions = {},
): Promise<Page> {
  const page = await (await browser.newContext(device)).newPage();
  const response = await page.request.post("/api/session/sign_up", {
    form: {
      email: `${username}@example.com`,
      username,
      display_name: displayName,
      password: "correct horse battery",
      preferred_language: language,
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  return page;
}

/**
 * `owner` creates a community called `name` and lands in its #general; `guest` joins it from
 * Discover and opens the same channel. Returns the channel's URL once both are live. The owner
 * may use the English or the Spanish UI.
 */
export async function shareCommunity(owner: Page, guest: Page, name: string): Promise<string> {
  await openHydrated(owner, "/communities");
  await owner.getByLabel(/^(Name|Nombre)$/).fill(name);
  await owner.getByRole("button", { name: /Create community|Crear comunidad/ }).click();
  await expect(owner.getByRole("heading", { name: "#general" })).toBeVisible();
  const url = owner.url();
  await openHydrated(guest, "/communities");
  const card = guest.getByRole("listitem").filter({ hasText: name });
  await card.getByRole("button", { name: "Join" }).click();
  await expect(card.getByRole("link", { name: "Open" })).toBeVisible();
  await openHydrated(guest, url);
  await expect(guest.getByText("Live", { exact: true })).toBeVisible();
  await expect(owner.getByText(/^(Live|En vivo)$/)).toBeVisible();
  return url;
}
