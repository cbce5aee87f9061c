import { expect, test } from "@playwright/test";
import { openHydrated, person, saveScreenshot, shareCommunity } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a toxic message is delivered, flagged in both browsers, and a moderator can dismiss the flag", async ({ browser }) => {
  const ana = await person(browser, `mo_${unique}`, "Mo Owner");
  const bo = await person(browser, `tr_${unique}`, "Tro Ll");
  const community = `Calm ${unique}`;

  const url = await shareCommunity(ana, bo, community);

  const box = bo.getByRole("textbox", { name: /^Message #/ });
  await box.fill("this stock is killing it");
  await box.press("Enter");
  await box.fill("shut up you stupid moron");
  await box.press("Enter");

  // Never blocked: both see the words, labelled with the reason.
  for (const page of [ana, bo]) {
    const toxic = page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "stupid moron" });
    await expect(toxic).toBeVisible();
    // The reason and the message's own score.
    await expect(toxic.locator(".flag-badge")).toContainText(/Flagged: insult \([01]\.\d\d\)/);
    const clean = page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "killing it" });
    await expect(clean.locator(".flag-badge")).toHaveCount(0);
  }
  await saveScreenshot(ana, "moderation-flagged", false);

  // The owner's queue lists it; dismissing removes the badge for the author too.
  const slug = new URL(url).pathname.split("/")[2];
  await openHydrated(ana, `/manage/${slug}`);
  const queue = ana.getByRole("region", { name: "Flagged messages" });
  await expect(queue).toContainText("shut up you stupid moron");
  // The queue sits below the other sections: picture the section itself.
  await queue.screenshot({ path: "artifacts/moderation-queue.png" });
  // The owner sets the community's own threshold, then goes back to the server's default.
  const moderation = ana.getByRole("region", { name: "Moderation" });
  await expect(moderation).toContainText("uses the server default (0.70)");
  await moderation.getByLabel("Flag messages scoring at least").fill("1.5");
  await moderation.getByRole("button", { name: "Save" }).click();
  await expect(moderation.locator("#threshold-help")).toHaveClass(/form-error/);
  await expect(moderation.getByLabel("Flag messages scoring at least")).toHaveAttribute("aria-invalid", "true");
  await moderation.getByLabel("Flag messages scoring at least").fill("0.9");
  await moderation.getByRole("button", { name: "Save" }).click();
  await expect(moderation).toContainText("This community flags at 0.90.");
  await openHydrated(ana, `/manage/${slug}`);
  await expect(moderation.getByLabel("Flag messages scoring at least")).toHaveValue("0.90");
  await moderation.getByRole("button", { name: "Use the server default" }).click();
  await expect(moderation).toContainText("uses the server default (0.70)");

  await queue.getByRole("button", { name: "Dismiss" }).click();
  await expect(queue).toContainText("Nothing is flagged.");
  await expect(
    bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "stupid moron" }).locator(".flag-badge"),
  ).toHaveCount(0);
});
