import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("direct messages", () => {
  test("a message from a profile reaches the other person anywhere, with an unread badge, and they answer", async ({ browser }) => {
    const anaName = `ana_${unique}`;
    const boName = `bo_${unique}`;
    const ana = await person(browser, anaName, "Ana Lima");
    const bo = await person(browser, boName, "Bo Chen");

    // Bo is elsewhere in the app.
    await openHydrated(bo, "/markets");

    // Ana starts the conversation from Bo's profile.
    await openHydrated(ana, `/u/${boName}`);
    await ana.getByRole("button", { name: "Message Bo Chen" }).click();
    await expect(ana).toHaveURL(/\/messages\/dm-/);
    await expect(ana.getByRole("heading", { name: "Bo Chen", level: 1 })).toBeVisible();
    await expect(ana.getByText("Live", { exact: true })).toBeVisible();
    const box = ana.getByRole("textbox", { name: "Message Bo Chen" });
    await box.fill("Lunch after the **open**?");
    await box.press("Enter");
    await expect(ana.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Lunch after the" })).toBeVisible();

    // Bo, on the markets page, sees the badge and a notice without reloading.
    const nav = bo.getByRole("navigation", { name: "Main navigation" });
    await expect(nav.getByLabel("1 unread direct messages")).toBeVisible();
    await expect(bo.getByRole("link", { name: /Ana Lima wrote to you: Lunch after the open\?/ })).toBeVisible();

    // His list shows it first, unread, with its words; opening it reads it.
    await nav.getByRole("link", { name: /Messages/ }).click();
    await expect(bo.getByRole("heading", { name: "Messages", level: 1 })).toBeVisible();
    const row = bo.getByRole("navigation", { name: "Conversations" }).getByRole("link").filter({ hasText: "Ana Lima" });
    await expect(row).toContainText("Lunch after the open?");
    await expect(row.getByLabel("1 unread", { exact: true })).toBeVisible();
    await saveScreenshot(bo, "direct-list");
    await row.click();
    await expect(bo.getByRole("heading", { name: "Ana Lima", level: 1 })).toBeVisible();
    await expect(nav.getByLabel(/unread direct messages/)).toHaveCount(0);
    await bo.getByRole("textbox", { name: "Message Ana Lima" }).fill("Sure, 12:30");
    await bo.getByRole("textbox", { name: "Message Ana Lima" }).press("Enter");

    // Ana, in the conversation, sees the answer live, and no notice about it.
    await expect(ana.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Sure, 12:30" })).toBeVisible();
    await expect(ana.getByRole("link", { name: /wrote to you/ })).toHaveCount(0);
    await saveScreenshot(ana, "direct-conversation");

    // Bo blocks Ana: the conversation closes for her, with the reason, once she opens it again.
    await openHydrated(bo, `/u/${anaName}`);
    await bo.getByRole("button", { name: "Block" }).click();
    await expect(bo.getByRole("button", { name: "Unblock" })).toBeVisible();
    await expect(bo.getByRole("button", { name: "Message Ana Lima" })).toHaveCount(0);
    await ana.reload();
    await expect(ana.getByText("One of you blocked the other")).toBeVisible();
    await expect(ana.getByRole("textbox", { name: "Message Bo Chen" })).toHaveCount(0);
  });

  test("a group is started from the messages page and its people see one another", async ({ browser }) => {
    const ana = await person(browser, `gana_${unique}`, "Ana Group");
    const bo = await person(browser, `gbo_${unique}`, "Bo Group");
    await person(browser, `gcy_${unique}`, "Cy Group");

    await openHydrated(ana, "/messages");
    await ana.getByLabel("To", { exact: true }).fill(`gbo_${unique}, @gcy_${unique}`);
    await ana.getByRole("button", { name: "Start" }).click();
    await expect(ana.getByRole("heading", { name: "Bo Group, Cy Group", level: 1 })).toBeVisible();
    const box = ana.getByRole("textbox", { name: "Message Bo Group, Cy Group" });
    await box.fill("Earnings watch party tonight");
    await box.press("Enter");

    await openHydrated(bo, "/messages");
    const row = bo.getByRole("link").filter({ hasText: "Ana Group, Cy Group" });
    await expect(row).toContainText("Ana Group: Earnings watch party tonight");
    await row.click();
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("Earnings watch party tonight");
    // Adding someone says, before they are added, that they will read what came before.
    await expect(bo.getByLabel("Add someone")).toHaveAccessibleDescription(
      "Whoever you add reads the whole conversation, including what was said before they joined.",
    );

    // Unknown people are refused with a sentence, and nothing is started.
    await openHydrated(ana, "/messages");
    await ana.getByLabel("To", { exact: true }).fill("nobody_by_that_name");
    await ana.getByRole("button", { name: "Start" }).click();
    await expect(ana.getByRole("alert").filter({ hasText: "nobody_by_that_name" })).toBeVisible();
    await expect(ana).toHaveURL(/\/messages$/);
  });
});
