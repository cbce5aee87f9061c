import { expect, openHydrated, reloadHydrated, saveScreenshot, test } from "./helpers";

// Each run uses fresh names so the suite can run against a server that has seen earlier runs.
const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

test.describe("accounts", () => {
  test("sign up, stay signed in, sign out, wrong password, sign in", async ({ page, context }) => {
    const username = `ana_${unique}`;
    const password = "correct horse battery";

    await openHydrated(page, "/signup?next=/settings");
    // Inline validation from the shared Rust rules, before anything is sent.
    await page.getByLabel("Username").fill("ab");
    await page.getByLabel("Username").blur();
    await expect(page.getByText("Usernames are at least 3 characters.")).toBeVisible();
    await page.getByLabel("Password").fill("password123");
    await page.getByLabel("Password").blur();
    await expect(page.getByText("That password is one of the most common; choose another.")).toBeVisible();
    await saveScreenshot(page, "sign-up-errors");

    await page.getByLabel("Email").fill(`${username}@example.com`);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Display name").fill("Ana Lima");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();

    // Back where the person came from, signed in.
    await expect(page).toHaveURL(/\/settings$/);
    const menu = page.getByRole("button", { name: "Account menu" });
    await expect(menu).toBeVisible();
    await expect(page.getByLabel("Display name")).toHaveValue("Ana Lima");

    // The session lives in HttpOnly cookies that scripts on the page cannot read.
    const cookies = await context.cookies();
    const session = cookies.filter((c) => c.name.startsWith("bullpen_access") || c.name.startsWith("bullpen_refresh"));
    expect(session).toHaveLength(2);
    for (const cookie of session) {
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe("Lax");
    }
    expect(await page.evaluate(() => document.cookie)).not.toContain("bullpen_");
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("ey");

    // Still signed in after a reload (the server renders the signed-in page).
    await reloadHydrated(page);
    await expect(menu).toBeVisible();

    // Sign out from the user menu.
    await menu.click();
    await saveScreenshot(page, "user-menu", false);
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
    expect((await context.cookies()).filter((c) => c.name.startsWith("bullpen_"))).toHaveLength(0);

    // A wrong password is refused without saying which part was wrong.
    await openHydrated(page, "/signin");
    await page.getByLabel("Email or username").fill(username);
    await page.getByLabel("Password").fill("not my password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText(
      "The email, username or password is incorrect.",
    );
    await saveScreenshot(page, "sign-in-error");

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(menu).toBeVisible();
  });

  test("edit the profile, block someone from their page, unblock in settings", async ({ page, request }) => {
    const me = `fay_${unique}`;
    const other = `gus_${unique}`;
    const register = (username: string) =>
      request.post("/api/auth/register", {
        data: { email: `${username}@example.com`, username, displayName: "Gus Grant", password: "correct horse battery" },
      });
    expect((await register(other)).status()).toBe(200);

    await openHydrated(page, "/signup");
    await page.getByLabel("Email").fill(`${me}@example.com`);
    await page.getByLabel("Username").fill(me);
    await page.getByLabel("Display name").fill("Fay");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();

    await openHydrated(page, "/settings");
    await page.getByLabel("Display name").fill("Fay Quinn");
    await page.getByLabel("Bio").fill("Long $AAPL, learning options.");
    await page.getByLabel("Time zone").fill("Europe/Istanbul");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Display name")).toHaveValue("Fay Quinn");
    await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Istanbul");
    await saveScreenshot(page, "settings-profile");

    // One's own page: the bio with a way to edit it, since when, the communities.
    await openHydrated(page, `/u/${me}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Fay Quinn");
    await expect(page.getByText("Long $AAPL, learning options.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit profile" })).toHaveAttribute("href", "/settings");
    await expect(page.getByText(/Joined \d/)).toBeVisible();
    const communities = page.getByRole("region", { name: "Communities" });
    await expect(communities.getByRole("link", { name: /Bullpen/ })).toBeVisible();
    await expect(page.getByRole("region", { name: "Recent activity" })).toContainText("No messages you can see yet.");
    // Her own figures, in her own time zone; nobody else's page shows them.
    const mine = page.getByRole("region", { name: "Your activity" });
    await expect(mine.getByTestId("stat-messages")).toHaveText("0");
    await expect(mine.getByRole("img", { name: /Europe\/Istanbul/ })).toBeVisible();
    await saveScreenshot(page, "profile-own");

    await openHydrated(page, `/u/${other}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Gus Grant");
    await expect(page.getByRole("region", { name: "Your activity" })).toHaveCount(0);
    // A click in the few milliseconds before a section has hydrated does nothing (no server-side
    // replay of events), so a click that changed nothing is tried again.
    await expect(async () => {
      const block = page.getByRole("button", { name: "Block", exact: true });
      if (await block.count()) await block.click({ timeout: 1000 });
      await expect(page.getByText("Blocked", { exact: true })).toBeVisible({ timeout: 1000 });
    }).toPass();
    await saveScreenshot(page, "profile-blocked");

    await openHydrated(page, "/settings");
    const blocked = page.getByRole("region", { name: "Blocked people" });
    await expect(blocked.getByRole("link", { name: "Gus Grant" })).toBeVisible();
    await expect(async () => {
      const unblock = blocked.getByRole("button", { name: "Unblock" });
      if (await unblock.count()) await unblock.click({ timeout: 1000 });
      await expect(blocked.getByText("You haven't blocked anyone.")).toBeVisible({ timeout: 1000 });
    }).toPass();
  });

  test("after signing in, only this site's own paths are followed", async ({ page, request }) => {
    const username = `hal_${unique}`;
    const signedUp = await request.post("/api/auth/register", {
      data: { email: `${username}@example.com`, username, displayName: "Hal", password: "correct horse battery" },
    });
    expect(signedUp.status()).toBe(200);
    const home = new URL(test.info().project.use.baseURL!).origin;
    // Each would leave the site: the browser reads `\` as `/` and drops tabs and line breaks.
    for (const next of ["//evil.example/", "/%09/evil.example/", "/%0A/evil.example/", "/%5Cevil.example/", "https://evil.example/"]) {
      await page.context().clearCookies();
      await openHydrated(page, `/signin?next=${next}`);
      await page.getByLabel("Email or username").fill(username);
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();
      const url = new URL(page.url());
      expect(url.origin, next).toBe(home);
      expect(url.pathname, next).toBe("/");
    }
    // A path of the site itself is followed.
    await page.context().clearCookies();
    await openHydrated(page, "/signin?next=/settings");
    await page.getByLabel("Email or username").fill(username);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/settings$/);
  });
});
