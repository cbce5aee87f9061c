import { expect, person, saveScreenshot, shareCommunity, test } from "./helpers";

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

    // Ana's poll moves without a reload. She asked it, so she sees how it stands before she
    // votes (the bars, not only the answers), and votes from there.
    const anaPoll = ana.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" });
    await expect(anaPoll).toContainText("1 vote");
    await expect(anaPoll.locator(".poll-result").filter({ hasText: "Higher" })).toContainText("100%");
    await expect(anaPoll.getByRole("button", { name: "Lower" })).toHaveCount(0);
    await anaPoll.getByRole("button", { name: "Vote", exact: true }).click();
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

  test("a price-target poll takes numbers and shows their spread against the stock's price", async ({ browser }) => {
    const ana = await person(browser, `tana_${unique}`, "Ana Lima");
    const bo = await person(browser, `tbo_${unique}`, "Bo Chen");
    await shareCommunity(ana, bo, `Targets ${unique}`);

    await ana.getByRole("button", { name: "Ask a poll" }).click();
    const form = ana.getByRole("form", { name: "Ask a poll" });
    await form.getByLabel("Question").fill("Where is $IBM on Friday's close?");
    await form.getByLabel("A price target: answers are numbers").check();
    await expect(form.getByRole("textbox", { name: "Answer 1" })).toBeHidden();
    await form.getByLabel("Which stock").fill("$IBM");
    await form.getByRole("button", { name: "Ask", exact: true }).click();
    await expect(form).toHaveCount(0);

    // Bo names his number; the spread and the price appear.
    const boPoll = bo.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Price-target poll" });
    await expect(boPoll).toContainText("$IBM now:");
    await expect(boPoll).toContainText("simulated");
    await boPoll.getByLabel("Your target for $IBM").fill("not a number");
    await boPoll.getByRole("button", { name: "Vote" }).click();
    await expect(boPoll.getByRole("alert")).toContainText("Write a number");
    await boPoll.getByLabel("Your target for $IBM").fill("250");
    await boPoll.getByRole("button", { name: "Vote" }).click();
    await expect(boPoll).toContainText("Your target: 250.00");
    await expect(boPoll).toContainText("1 answer");
    await expect(boPoll.getByRole("img", { name: /How 1 answers spread/ })).toBeVisible();

    // Ana's card moves live; she names hers, and the median is of both.
    const anaPoll = ana.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Price-target poll" });
    await expect(anaPoll).toContainText("Bo Chen: 250.00");
    await anaPoll.getByLabel("Your target for $IBM").fill("150");
    await anaPoll.getByRole("button", { name: "Vote" }).click();
    await expect(anaPoll).toContainText("2 answers · median 200.00");
    await expect(boPoll).toContainText("median 200.00");
    await saveScreenshot(ana, "target-poll", false);
  });
});
