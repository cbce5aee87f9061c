import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("integrations", () => {
  test("an admin installs an incoming webhook, a program posts through it live, and removing it closes the address", async ({ browser, request }) => {
    const ana = await person(browser, `iana_${unique}`, "Ana Lima");
    const bo = await person(browser, `ibo_${unique}`, "Bo Chen");
    const url = await shareCommunity(ana, bo, `Hooks ${unique}`);
    const slug = url.split("/")[4];

    await openHydrated(ana, `/manage/${slug}`);
    const section = ana.getByRole("region", { name: "Integrations" });
    await expect(section).toBeVisible();
    // What it may do is shown before it is installed.
    const card = section.getByRole("listitem").filter({ has: ana.getByRole("heading", { name: "Incoming webhook" }) });
    await expect(card.getByText("post into the channel you choose, as its own member marked Bot")).toBeVisible();
    await expect(section.getByRole("listitem").filter({ has: ana.getByRole("heading", { name: "Stock bot" }) }).getByText("Installed", { exact: true })).toBeVisible();

    await card.getByRole("button", { name: "Install" }).click();
    const form = section.getByRole("form", { name: "Install Incoming webhook" });
    await form.getByLabel("Name").fill("Deploys");
    await form.getByLabel("Channel").selectOption({ label: "#general" });
    await form.getByRole("button", { name: "Install" }).click();
    // Shown once, it comes into view with the keyboard on it (it appears far above the form).
    const once = section.getByLabel("Copy its address now: it is shown only this once.");
    await expect(once).toBeInViewport();
    await expect(once).toBeFocused();
    const address = await once.inputValue();
    expect(address).toMatch(/\/api\/v1\/hooks\/[0-9a-f-]+\/[0-9a-f]{64}$/);
    await expect(section.getByRole("listitem").filter({ hasText: "Deploys" }).getByText("#general")).toBeVisible();
    await saveScreenshot(ana, "integrations");

    // Another program posts; Bo sees it arrive from the bot without a reload.
    const posted = await request.post(address, { data: { text: "Build **42** is live" } });
    expect(posted.status()).toBe(201);
    const line = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Build 42 is live" });
    await expect(line).toBeVisible();
    await expect(line.getByText("Deploys")).toBeVisible();
    await expect(line.getByText("Bot", { exact: true })).toBeVisible();

    // Removed: the address answers 404 at once.
    await section.getByRole("button", { name: "Remove Deploys" }).click();
    await expect(section.getByRole("listitem").filter({ hasText: "Deploys" })).toHaveCount(0);
    const refused = await request.post(address, { data: { text: "still here?" } });
    expect(refused.status()).toBe(404);
    expect((await refused.json()).error).toBe("No webhook answers at this address.");
  });
});
