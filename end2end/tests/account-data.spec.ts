import { Page } from "@playwright/test";
import * as fs from "node:fs";
import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

// Each run uses fresh names so the suite can run against a server that has seen earlier runs.
const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const PASSWORD = "correct horse battery";

/** Types and sends a message with Enter. */
async function say(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: /^Message #/ });
  await box.fill(text);
  await box.press("Enter");
}

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" });
}

test.describe("account data", () => {
  test("download everything the app holds from Settings", async ({ browser }) => {
    const username = `dee_${unique}`;
    const page = await person(browser, username, "Dee Park");
    // Something of hers to find in the file besides the profile.
    const watched = await page.request.post("/api/market/watch", { data: { symbol: "MSFT", watching: true } });
    expect(watched.status(), await watched.text()).toBe(200);

    await openHydrated(page, "/settings");
    const section = page.getByRole("region", { name: "Your data" });
    await expect(section).toContainText("never in it");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      section.getByRole("link", { name: "Download your data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^bullpen-${username}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const text = fs.readFileSync((await download.path())!, "utf8");
    const data = JSON.parse(text);
    expect(data.format).toBe("bullpen-account-export");
    expect(data.profile.username).toBe(username);
    expect(data.profile.email).toBe(`${username}@example.com`);
    expect(data.profile.displayName).toBe("Dee Park");
    expect(data.watchlist.map((w: { symbol: string }) => w.symbol)).toContain("MSFT");
    expect(data.sessions.some((s: { current: boolean }) => s.current)).toBe(true);
    expect(text).not.toContain("argon2");
    expect(text).not.toContain("passwordHash");
    await saveScreenshot(page, "settings-your-data");
  });

  test("delete the account from Settings: the messages stay as Deleted user, the person is signed out", async ({ browser }) => {
    const anaName = `ana_${unique}`;
    const ana = await person(browser, anaName, "Ana Lima");
    const bo = await person(browser, `bo_${unique}`, "Bo Chen");
    // Bo owns the community (an owner with members would first have to name an admin).
    const url = await shareCommunity(bo, ana, `Farewell ${unique}`);

    await say(ana, "Remember me as a bull");
    const hers = messages(bo).getByRole("article").filter({ hasText: "Remember me as a bull" });
    await expect(hers.getByRole("link", { name: "Ana Lima" })).toBeVisible();

    // Ana opens the danger zone in her own tab; Bo keeps the channel open.
    await openHydrated(ana, "/settings");
    const danger = ana.getByRole("region", { name: "Delete account" });
    await expect(danger.getByRole("radio", { name: /^Keep them/ })).toBeChecked();
    await expect(danger.getByRole("radio", { name: /^Remove their text/ })).not.toBeChecked();
    const button = danger.getByRole("button", { name: "Delete my account" });
    await expect(button).toBeDisabled();
    await saveScreenshot(ana, "settings-delete-account");

    // A wrong password is refused; nothing happens.
    await danger.getByLabel("Current password").fill("not my password");
    await danger.getByLabel("I understand that my account cannot be restored.").check();
    await expect(button).toBeEnabled();
    await button.click();
    await expect(danger.getByRole("alert").filter({ hasText: "not correct" })).toHaveText(
      "The current password is not correct.",
    );
    await expect(ana).toHaveURL(/\/settings$/);

    // With the right one, the account goes and Ana lands on the home page, signed out, told so.
    await danger.getByLabel("Current password").fill(PASSWORD);
    await button.click();
    await expect(ana).toHaveURL(/\/\?account_deleted=1$/);
    await expect(ana.getByRole("status").filter({ hasText: "Your account was deleted" })).toHaveText(
      "Your account was deleted and you were signed out. Thank you for having been part of Bullpen.",
    );
    await expect(ana.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
    expect((await ana.context().cookies()).filter((c) => c.name.startsWith("bullpen_"))).toHaveLength(0);
    await saveScreenshot(ana, "account-deleted-home");

    // Bo's open channel shows her message under "Deleted user" at once, with no link to a profile…
    await expect(hers.locator(".deleted-author")).toHaveText("Deleted user");
    await expect(hers.getByRole("link", { name: "Ana Lima" })).toHaveCount(0);
    await expect(hers).toContainText("Remember me as a bull");
    // …and so does the history after a reload.
    await openHydrated(bo, url);
    const again = messages(bo).getByRole("article").filter({ hasText: "Remember me as a bull" });
    await expect(again.locator(".deleted-author")).toHaveText("Deleted user");
    await saveScreenshot(bo, "deleted-user-message");

    // The old credentials are just wrong credentials now.
    await openHydrated(ana, "/signin");
    await ana.getByLabel("Email or username").fill(anaName);
    await ana.getByLabel("Password").fill(PASSWORD);
    await ana.getByRole("button", { name: "Sign in" }).click();
    await expect(ana.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText(
      "The email, username or password is incorrect.",
    );
  });
});
