import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("badges", () => {
  test("a first message earns a badge: a notice says so once, and the profile shows it", async ({ browser }) => {
    const ana = await person(browser, `bana_${unique}`, "Ana Lima");
    const bo = await person(browser, `bbo_${unique}`, "Bo Chen");
    await shareCommunity(ana, bo, `Badges ${unique}`);

    const box = bo.getByRole("textbox", { name: "Message #general" });
    await box.fill("hello from Bo, watching $AAPL");
    await box.press("Enter");
    // The job runs every few seconds on the test server; the notice leads to Bo's profile.
    const notice = bo.getByRole("link", { name: "👋 Badge earned: First words" });
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await notice.click();
    await expect(bo.getByRole("heading", { name: "Bo Chen", level: 1 })).toBeVisible();
    const badges = bo.getByRole("region", { name: "Badges" });
    await expect(badges).toContainText("First words");
    await expect(badges).toContainText("Wrote a first message that stands.");
    await saveScreenshot(bo, "badges");

    // Told once: another visit says nothing again; Ana sees the badge on Bo's profile.
    await openHydrated(bo, "/");
    await bo.waitForTimeout(1500);
    await expect(bo.getByRole("link", { name: /Badge earned/ })).toHaveCount(0);
    await openHydrated(ana, `/u/bbo_${unique}`);
    await expect(ana.getByRole("region", { name: "Badges" })).toContainText("First words");
  });
});
