import { expect, openHydrated, reloadHydrated, saveScreenshot, test } from "./helpers";

test.describe("the app shell", () => {
  test("renders on the server before any script runs", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where investors talk markets in real time");
    await expect(page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Markets" })).toBeVisible();
    await context.close();
  });

  test("hydrates, and the theme switch changes and keeps the theme", async ({ page }) => {
    await openHydrated(page, "/");
    const html = page.locator("html");
    const switchButton = page.getByRole("button", { name: /Change theme/ });
    await expect(html).not.toHaveAttribute("data-theme");
    await expect(switchButton).toHaveAccessibleName("Change theme: System");

    await switchButton.click();
    await expect(html).toHaveAttribute("data-theme", "light");
    const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await saveScreenshot(page, "home-light");

    await switchButton.click();
    await expect(html).toHaveAttribute("data-theme", "dark");
    const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(darkBg).not.toBe(lightBg);
    await saveScreenshot(page, "home-dark");

    // The choice is a cookie: the server renders the dark theme on the next load.
    await page.reload();
    await expect(html).toHaveAttribute("data-theme", "dark");
    await expect(switchButton).toHaveAccessibleName("Change theme: Dark");
  });

  test("follows the system colour scheme until a theme is chosen", async ({ browser }) => {
    const context = await browser.newContext({ colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto("/");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(12, 18, 16)");
    await context.close();
  });

  test("the language switch in settings changes the visible text, and it sticks", async ({ page }) => {
    await openHydrated(page, "/settings");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
    await page.getByLabel("Language").selectOption({ label: "Türkçe" });
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ayarlar");
    await expect(page.getByRole("navigation", { name: "Ana gezinme" }).getByRole("link", { name: "Piyasalar" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "tr");
    // Kept for the whole site and past the browser's closing: a year, not a session cookie.
    // The i18n context writes it too, an effect or two after the switch: the last word is "tr".
    const languageCookie = async () => (await page.context().cookies()).find((c) => c.name === "i18n_pref_locale");
    await expect.poll(async () => (await languageCookie())?.value).toBe("tr");
    const cookie = await languageCookie();
    expect(cookie?.path).toBe("/");
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 300 * 24 * 3600);
    await saveScreenshot(page, "settings-tr");

    await reloadHydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ayarlar");
    await page.getByLabel("Dil").selectOption({ label: "English" });
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  });

  test("a browser in German gets the German UI from the first response", async ({ browser }) => {
    const context = await browser.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Wo Anleger in Echtzeit über Märkte sprechen");
    await context.close();
  });

  test("settings show which server this is", async ({ page }) => {
    await openHydrated(page, "/settings");
    await expect(page.getByTestId("database-engine")).toHaveText(/SQLite|PostgreSQL/);
  });

  test("an unknown page is a 404 with a way home", async ({ page }) => {
    const response = await page.goto("/this/does/not/exist");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    await saveScreenshot(page, "not-found");
    await page.getByRole("link", { name: "Go to the home page" }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test("a failing request shows a readable error, not a blank page", async ({ page }) => {
    await openHydrated(page, "/");
    // The database goes away between two clicks: the server function answers 503.
    await page.route("**/api/server_info*", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: "The service is temporarily unavailable. Please try again shortly.", code: "unavailable" }),
      }),
    );
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Settings" }).click();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText("Something went wrong");
    await expect(alert).toContainText("The service is temporarily unavailable. Please try again shortly.");
    await saveScreenshot(page, "error-boundary");
    // The rest of the app still works.
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Home" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where investors talk markets in real time");
  });

  test("sidebar on a desktop, bottom navigation on a phone", async ({ browser }) => {
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await desktop.goto("/");
    const deskNav = await desktop.getByRole("navigation", { name: "Main navigation" }).boundingBox();
    expect(deskNav!.x).toBeLessThan(10);
    expect(deskNav!.height).toBeGreaterThan(500);
    await desktop.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto("/");
    const phoneNav = await phone.getByRole("navigation", { name: "Main navigation" }).boundingBox();
    expect(phoneNav!.y + phoneNav!.height).toBeGreaterThan(830);
    expect(phoneNav!.width).toBeGreaterThan(380);
    await saveScreenshot(phone, "home-phone", false);
    await phone.close();
  });
});
