import { expect, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("/stock=aapl.us is answered by the stock bot in both browsers, and the command is not posted", async ({ browser }) => {
  const ana = await person(browser, `sb_${unique}`, "Sam Buyer");
  const bo = await person(browser, `sw_${unique}`, "Sue Watcher");
  const community = `Tickers ${unique}`;

  await shareCommunity(ana, bo, community);
  // Installed with the community, the stock bot is one of its members, marked Bot.
  const bot = ana.getByRole("complementary", { name: "Members" }).getByRole("listitem").filter({ hasText: "Stock Bot" });
  await expect(bot.locator(".bot-badge")).toHaveText("Bot");

  const box = ana.getByRole("textbox", { name: /^Message #/ });
  await box.fill("/stock=aapl.us");
  await box.press("Enter");

  for (const page of [ana, bo]) {
    const answer = page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "quote is" });
    await expect(answer).toContainText(/AAPL\.US quote is \$\d+\.\d\d per share/);
    await expect(answer).toContainText("Stock Bot");
    await expect(answer.locator(".bot-badge")).toHaveText("Bot");
    // The command itself was never stored or shown to others.
    await expect(page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "/stock=aapl.us" })).toHaveCount(0);
  }
  await saveScreenshot(bo, "stock-bot", false);

  await box.fill("/stock=zzzz.us");
  await box.press("Enter");
  await expect(
    bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "couldn't find a stock called ZZZZ.US" }),
  ).toBeVisible();
});
