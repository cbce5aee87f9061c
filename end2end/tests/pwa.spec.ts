import { chromium, expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openHydrated } from "./helpers";

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
});
