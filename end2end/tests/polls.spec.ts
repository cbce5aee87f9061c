import { expect, test } from "@playwright/test";
import { person, saveScreenshot, shareCommunity } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("polls", () => {
  test("a poll asked from the composer is voted in another browser and its result moves live", async ({ browser }) => {
    const ana = await person(browser, `pana_${unique}`, "Ana Lima");
    const bo = await person(browser, `pbo_${unique}`, "Bo Chen");
    await shareCommunity(ana, bo, `Polls ${unique}`);

    // Ana asks from the composer.
    await ana.getByRole("button", { name: "Ask a poll" }).click();
    const form = ana.getByRole("form", { name: "Ask a poll" });
    await form.getByLabel("Question").fill("Where does $AAPL close Friday?");
    await form.getByRole("textbox", { name: "Answer 1" }).fill("Higher");
    await form.getByRole("textbox", { name: "Answer 2" }).fill("Lower");
    await form.getByRole("button", { name: "Add an answer" }).click();
    await form.getByRole("textbox", { name: "Answer 3" }).fill("Flat");
    await form.getByRole("button", { name: "Ask", exact: true }).click();
    await expect(form).toHaveCount(0);

    // Bo sees it and votes.
    const boPoll = bo.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" });
    await expect(boPoll).toBeVisible();
    await boPoll.getByRole("button", { name: "Higher" }).click();
    await expect(boPoll).toContainText("100%");
    await expect(boPoll).toContainText("1 vote");
    await expect(boPoll.locator(".poll-result.mine")).toContainText("Higher");

    // Ana's poll moves without a reload; she has not voted, so she still has the answers.
    const anaPoll = ana.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" });
    await expect(anaPoll).toContainText("1 vote");
    await anaPoll.getByRole("button", { name: "Lower" }).click();
    await expect(anaPoll).toContainText("2 votes");
    await expect(anaPoll).toContainText("50%");
    await saveScreenshot(ana, "poll", false);

    // Bo changes his vote to Lower: Ana sees both on Lower.
    await expect(boPoll).toContainText("2 votes");
    await boPoll.getByRole("button", { name: "Change my vote" }).click();
    await boPoll.getByRole("button", { name: "Lower" }).click();
    await expect(anaPoll.locator(".poll-result").filter({ hasText: "Lower" })).toContainText("100%");
    await expect(anaPoll.locator(".poll-result").filter({ hasText: "Lower" })).toContainText("Bo Chen");
  });
});
