import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("notifications", () => {
  test("a mention elsewhere shows a notice and the inbox badge; the inbox opens it and reads it", async ({ browser }) => {
    const ana = await person(browser, `nana_${unique}`, "Ana Notify");
    const bo = await person(browser, `nbo_${unique}`, "Bo Notify");
    const url = await shareCommunity(ana, bo, `Notify ${unique}`);

    // Bo goes elsewhere; Ana mentions him.
    await openHydrated(bo, "/markets");
    const box = ana.getByRole("textbox", { name: /^Message #/ });
    await box.fill(`@nbo_${unique} the CPI print is out`);
    await box.press("Enter");

    await expect(bo.getByRole("link", { name: /^Ana Notify mentioned you in #general: .*the CPI print is out/ })).toBeVisible();
    const bell = bo.getByRole("link", { name: "Inbox, 1 unread" });
    await expect(bell).toBeVisible();
    await bell.click();
    await expect(bo.getByRole("heading", { name: "Inbox", level: 1 })).toBeVisible();
    const entry = bo.getByRole("listitem").filter({ hasText: "the CPI print is out" });
    await expect(entry).toContainText("New");
    await saveScreenshot(bo, "inbox");
    // Seen: the badge is gone.
    await expect(bo.getByRole("link", { name: "Inbox", exact: true })).toBeVisible();
    await entry.getByRole("link").click();
    await expect(bo).toHaveURL(new RegExp(`${new URL(url).pathname}\\?at=`));
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("the CPI print is out");
  });

  test("a channel's bell sets the level and mutes", async ({ browser }) => {
    const ana = await person(browser, `mana_${unique}`, "Ana Mute");
    const bo = await person(browser, `mbo_${unique}`, "Bo Mute");
    await shareCommunity(ana, bo, `Mute ${unique}`);

    await bo.getByRole("button", { name: "Notifications" }).click();
    const panel = bo.getByRole("group", { name: "Notifications" });
    await expect(panel.getByRole("radio", { name: "Default (Only mentions)" })).toBeChecked();
    await panel.getByRole("group", { name: "This community" }).getByRole("radio", { name: "Nothing" }).check();
    await expect(panel.getByRole("group", { name: "This channel" }).getByRole("radio", { name: "Same as the community (Nothing)" })).toBeChecked();
    await panel.getByRole("button", { name: "8 hours" }).click();
    await expect(panel.getByText("Muted until")).toBeVisible();
    await saveScreenshot(bo, "notify-panel", false);

    // Muted: a mention reaches neither the inbox nor a notice.
    const box = ana.getByRole("textbox", { name: /^Message #/ });
    await box.fill(`@mbo_${unique} ping`);
    await box.press("Enter");
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("ping");
    await openHydrated(bo, "/inbox");
    await expect(bo.getByText("Nothing here yet")).toBeVisible();

    // Back is a fresh load of the channel (an open socket keeps it out of the back-forward
    // cache): its buttons work once it has hydrated.
    await bo.goBack();
    await expect(bo.locator("body[data-hydrated]")).toHaveCount(1);
    await bo.getByRole("button", { name: "Notifications" }).click();
    await bo.getByRole("group", { name: "Notifications" }).getByRole("button", { name: "Unmute" }).click();
    await expect(bo.getByRole("group", { name: "Notifications" }).getByRole("button", { name: "1 hour" })).toBeVisible();
  });
});
