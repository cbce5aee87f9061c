import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

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
  const queue = ana.getByRole("region", { name: "Moderation queue" });
  await expect(queue).toContainText("shut up you stupid moron");
  // The queue sits below the other sections: picture the section itself.
  await queue.screenshot({ path: "artifacts/moderation-queue.png" });
  // The owner sets the community's own threshold, then goes back to the server's default.
  const moderation = ana.getByRole("region", { name: "Moderation", exact: true });
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
  await expect(queue).toContainText("Nothing to review.");
  // Every step is in the audit log, newest first.
  await openHydrated(ana, `/manage/${slug}`);
  const log = ana.getByRole("region", { name: "Audit log" }).getByRole("listitem");
  await expect(log.nth(0)).toContainText("Mo Owner dismissed the flag on a message by Tro Ll in #general");
  await expect(log.nth(1)).toContainText("set the moderation threshold back to the server default");
  await expect(log.nth(2)).toContainText("set the moderation threshold to 0.90");
  await expect(
    bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "stupid moron" }).locator(".flag-badge"),
  ).toHaveCount(0);
});

test("a member reports a message; the moderators see who and why, the author never does", async ({ browser }) => {
  const ana = await person(browser, `ro_${unique}`, "Ria Owner");
  const bo = await person(browser, `rw_${unique}`, "Ray Writer");
  const cy = await person(browser, `rr_${unique}`, "Rex Reader");
  const name = `Reports ${unique}`;
  const url = await shareCommunity(ana, bo, name);
  await openHydrated(cy, "/communities");
  const card = cy.getByRole("listitem").filter({ hasText: name });
  await card.getByRole("button", { name: "Join" }).click();
  await expect(card.getByRole("link", { name: "Open" })).toBeVisible();
  await openHydrated(cy, url);

  const box = bo.getByRole("textbox", { name: /^Message #/ });
  await box.fill("Get in before Friday, this one will 10x, guaranteed");
  await box.press("Enter");
  const line = cy.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "guaranteed" });
  await expect(line).toBeVisible();
  await line.hover();
  await line.getByRole("button", { name: "Report" }).click();
  const form = line.locator(".report-form");
  await expect(form.getByRole("button", { name: "Send report" })).toBeDisabled();
  await form.getByLabel("Scam or pump-and-dump").check();
  await form.getByLabel("Anything the moderators should know (optional)").fill("classic pump");
  await saveScreenshot(cy, "report-form", false);
  await form.getByRole("button", { name: "Send report" }).click();
  await expect(line.getByRole("status")).toContainText("your report was received");

  // The author's own message has no Report action.
  const own = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "guaranteed" });
  await own.hover();
  await expect(own.getByRole("button", { name: "Report" })).toHaveCount(0);

  const slug = new URL(url).pathname.split("/")[2];
  await openHydrated(ana, `/manage/${slug}`);
  const queue = ana.getByRole("region", { name: "Moderation queue" });
  const entry = queue.getByRole("listitem").filter({ hasText: "guaranteed" }).first();
  await expect(entry).toContainText("Reported 1×");
  await entry.getByText("Reported 1×").click();
  await expect(entry).toContainText("Scam or pump-and-dump · Rex Reader");
  await expect(entry).toContainText("classic pump");
  await entry.getByRole("button", { name: "Delete message" }).click();
  await expect(queue).toContainText("Nothing to review.");
  await expect(bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "guaranteed" })).toHaveCount(0);
});

test("a moderator warns and times out a member; the member sees both live, and the timeout can end early", async ({ browser }) => {
  const ana = await person(browser, `wo_${unique}`, "Wen Owner");
  const bo = await person(browser, `wm_${unique}`, "Wes Member");
  const url = await shareCommunity(ana, bo, `Warnings ${unique}`);
  const slug = new URL(url).pathname.split("/")[2];
  const box = bo.getByRole("textbox", { name: /^Message #/ });
  await expect(box).toBeVisible();

  await openHydrated(ana, `/manage/${slug}`);
  const members = ana.getByRole("region", { name: "Members" });
  const row = members.getByRole("listitem").filter({ hasText: `@wm_${unique}` });
  await members.getByLabel("Reason", { exact: true }).fill("No pump calls here, please");
  await row.getByRole("button", { name: "Warn" }).click();
  await expect(members.getByRole("status")).toContainText("Warning sent");

  // The member's open page shows the warning at once, without naming who gave it.
  const warning = bo.locator(".warning-banner");
  await expect(warning).toContainText("A moderator warned you:");
  await expect(warning).toContainText("No pump calls here, please");
  await expect(warning).not.toContainText("Wen Owner");

  // A ten-minute timeout: the composer gives way to a note saying until when, live.
  await row.getByLabel(`Time out — wm_${unique}`).selectOption("10");
  await expect(bo.locator(".timed-out-note")).toContainText("A moderator timed you out");
  await expect(box).toHaveCount(0);
  await expect(row).toContainText("Timed out until");
  await saveScreenshot(bo, "timed-out", false);

  // "Got it" puts the warning away, for good.
  await warning.getByRole("button", { name: "Got it" }).click();
  await expect(bo.locator(".warning-banner")).toHaveCount(0);

  // Ended early: the composer is back on the same page, and messages go through.
  await row.getByRole("button", { name: "End timeout" }).click();
  await expect(box).toBeVisible();
  await box.fill("understood, sorry");
  await box.press("Enter");
  await expect(ana.getByRole("region", { name: "Members" })).toBeVisible();
  await openHydrated(bo, url);
  await expect(bo.getByRole("log", { name: "Messages" })).toContainText("understood, sorry");
  await expect(bo.locator(".warning-banner")).toHaveCount(0);

  await openHydrated(ana, `/manage/${slug}`);
  const log = ana.getByRole("region", { name: "Audit log" }).getByRole("listitem");
  await expect(log.nth(0)).toContainText(`Wen Owner ended the timeout of Wes Member`);
  await expect(log.nth(1)).toContainText("Wen Owner timed out Wes Member for 10 min");
  await expect(log.nth(2)).toContainText("Wen Owner warned Wes Member");
});

test("the owner renames the community, makes it private and hands it over", async ({ browser }) => {
  const ana = await person(browser, `so_${unique}`, "Sol Owner");
  const bo = await person(browser, `sh_${unique}`, "Sam Heir");
  const url = await shareCommunity(ana, bo, `Settings ${unique}`);
  const slug = new URL(url).pathname.split("/")[2];

  await openHydrated(ana, `/manage/${slug}`);
  const settings = ana.getByRole("region", { name: "Community", exact: true });
  await settings.getByLabel("Name", { exact: true }).fill(`Renamed ${unique}`);
  await settings.getByLabel(/private/i).check();
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(ana.getByRole("heading", { name: `Renamed ${unique}`, level: 1 })).toBeVisible();
  await expect(settings.getByLabel(/private/i)).toBeChecked();

  // Handing over needs the confirmation first.
  const hand = settings.getByRole("button", { name: "Transfer ownership" });
  await settings.getByLabel("New owner's username").fill(`sh_${unique}`);
  await expect(hand).toBeDisabled();
  await settings.getByLabel("I understand that I will no longer own this community").check();
  await hand.click();
  // Now an admin: the transfer form is gone, and the audit log says who owns it.
  await expect(ana.getByRole("button", { name: "Transfer ownership" })).toHaveCount(0);
  const log = ana.getByRole("region", { name: "Audit log" }).getByRole("listitem");
  await openHydrated(ana, `/manage/${slug}`);
  await expect(log.nth(0)).toContainText("Sol Owner made Sam Heir the owner");
  await expect(log.nth(1)).toContainText("changed the community: name, visibility");
});

test("a member reports a person from the member list; the moderator acts, the record keeps it, and the owner deletes the community", async ({ browser }) => {
  const ana = await person(browser, `po_${unique}`, "Pia Owner");
  const bo = await person(browser, `pr_${unique}`, "Pat Rude");
  const url = await shareCommunity(ana, bo, `People ${unique}`);
  const slug = new URL(url).pathname.split("/")[2];

  // The owner reports bo from the member list (a flag beside each other member's name).
  const members = ana.getByRole("complementary", { name: "Members" });
  await expect(members.getByRole("button", { name: "Report Pia Owner" })).toHaveCount(0);
  await members.getByRole("button", { name: "Report Pat Rude" }).click();
  const form = members.locator(".report-form");
  await expect(form).toContainText("Why are you reporting this person?");
  await form.getByLabel("Harassment").check();
  await form.getByLabel("Anything the moderators should know (optional)").fill("insults in every thread");
  await form.getByRole("button", { name: "Send report" }).click();
  await expect(members.getByRole("status")).toContainText("your report was received");
  await saveScreenshot(ana, "report-person", false);

  // The queue holds the person; a warning from it closes the report, which the record keeps.
  await openHydrated(ana, `/manage/${slug}`);
  const queue = ana.getByRole("region", { name: "Moderation queue" });
  const entry = queue.getByRole("listitem").filter({ hasText: "Reported as a person" }).first();
  await expect(entry).toContainText("Pat Rude");
  await entry.getByText("Reported 1×").click();
  await expect(entry).toContainText("Harassment · Pia Owner");
  // Warn asks why first (the report's reason to start from), in the moderator's own words.
  await entry.getByRole("button", { name: "Warn" }).click();
  const why = entry.getByLabel("Why (they will read it)");
  await expect(why).toHaveValue(/harassment/i);
  await why.fill("Insults are not debate: keep it about the trades");
  await entry.getByRole("button", { name: "Send the warning" }).click();
  await expect(queue).toContainText("Nothing to review.");
  await expect(bo.locator(".warning-banner")).toContainText("Insults are not debate: keep it about the trades");
  const closed = ana.getByRole("region", { name: "Closed reports" });
  await expect(closed).toContainText("Pia Owner reported Pat Rude");
  await expect(closed).toContainText("acted on by Pia Owner");

  // Deleting needs the community's name typed exactly; then everyone inside is told.
  const danger = ana.getByRole("region", { name: "Delete this community" });
  const erase = danger.getByRole("button", { name: "Delete the community for good" });
  const confirm = danger.getByLabel(`Type the community's name, People ${unique}, to confirm`);
  await confirm.fill("People");
  await expect(erase).toBeDisabled();
  await confirm.fill(`People ${unique}`);
  await erase.click();
  await expect(ana).toHaveURL(/\/communities$/);
  await expect(bo.getByRole("alert").filter({ hasText: "That channel was not found." })).toBeVisible();
  await openHydrated(bo, "/communities");
  await expect(bo.getByRole("listitem").filter({ hasText: `People ${unique}` })).toHaveCount(0);
});
