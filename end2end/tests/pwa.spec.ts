import { chromium } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, openHydrated, test } from "./helpers";

test.describe("installable app", () => {
  test("the manifest names the app and its icons", async ({ request }) => {
    const response = await request.get("/manifest.webmanifest");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("manifest+json");
    const manifest = await response.json();
    expect(manifest.name).toBe("Bullpen");
    expect(manifest.display).toBe("standalone");
    const sizes = manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes}/${i.purpose}`);
    expect(sizes).toEqual(expect.arrayContaining(["192x192/any", "512x512/any", "512x512/maskable"]));
    for (const icon of manifest.icons) {
      const img = await request.get(icon.src);
      expect(img.status(), icon.src).toBe(200);
    }
  });

  test("the service worker is served and takes control", async ({ page, request }) => {
    const sw = await request.get("/sw.js");
    expect(sw.status()).toBe(200);
    expect(sw.headers()["content-type"]).toContain("javascript");

    await openHydrated(page, "/");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(new URL(scope).pathname).toBe("/");
  });

  test("Chromium finds the app installable", async ({ baseURL, launchOptions }) => {
    // Chromium never offers to install from an incognito profile, which is what Playwright's
    // contexts are; a persistent profile is a normal one.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "bullpen-profile-"));
    const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
    try {
      const page = await context.newPage();
      await openHydrated(page, "/");
      await page.evaluate(async () => await navigator.serviceWorker.ready);
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
      expect(installabilityErrors).toEqual([]);
      const manifest = await cdp.send("Page.getAppManifest");
      expect(manifest.errors).toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  test("opens offline from the cache, with an offline banner", async ({ page, context }) => {
    await openHydrated(page, "/");
    await page.evaluate(async () => await navigator.serviceWorker.ready);
    // The first load happened before the worker controlled the page; load once under it.
    await page.reload();
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where investors talk markets in real time");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await expect(page.getByRole("status")).toContainText("You're offline");

    await context.setOffline(false);
    await expect(page.getByRole("status")).toHaveCount(0);
  });

  test("every page seen opens offline with what it showed; a page never opened says so", async ({ page, context }) => {
    const username = `pwa_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
    const signedUp = await page.request.post("/api/session/sign_up", {
      form: { email: `${username}@example.com`, username, display_name: "Pat Offline", password: "correct horse battery" },
    });
    expect(signedUp.status(), await signedUp.text()).toBe(200);
    await openHydrated(page, "/");
    await page.evaluate(async () => await navigator.serviceWorker.ready);
    await page.reload();
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

    // A new person's empty portfolio is a page like any other: 200, so it can be kept.
    const portfolio = await page.goto("/portfolio");
    expect(portfolio?.status()).toBe(200);
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

    // Markets and a stock reached through the app's own links, never loaded in full.
    const nav = page.getByRole("navigation", { name: "Main navigation" });
    await nav.getByRole("link", { name: "Markets" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Markets");
    const popular = page.getByRole("region", { name: "Popular stocks" });
    await popular.getByRole("link").filter({ hasText: "MSFT" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("MSFT");
    const kept = (path: string) => page.evaluate(async (p) => Boolean(await caches.match(location.origin + p)), path);
    // The worker fetches each page anew to keep it: on a busy machine that takes a while.
    await expect.poll(() => kept("/markets"), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => kept("/markets/MSFT"), { timeout: 30_000 }).toBe(true);

    await context.setOffline(true);
    for (const [path, heading] of [["/markets", "Markets"], ["/markets/MSFT", "MSFT"], ["/portfolio", "My portfolio|Portfolio"]] as const) {
      await page.goto(path);
      await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(new RegExp(heading));
      const banner = page.getByRole("status").filter({ hasText: "You're offline" });
      await expect(banner).toContainText("Saved");
      await expect(page.getByText(/TypeError|Failed to fetch/)).toHaveCount(0);
    }
    // What the markets page showed is there: the popular stocks with their prices.
    await page.goto("/markets");
    await expect(page.getByRole("region", { name: "Popular stocks" }).getByRole("link").filter({ hasText: "AAPL" })).toBeVisible();

    // Never opened on this device: a page that says so, with the way home.
    await page.goto("/assistant");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You're offline");
    await expect(page.getByRole("link", { name: "Go to the home page" })).toHaveAttribute("href", "/");
    await context.setOffline(false);
  });
});
