import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("the assistant answers the RSI of AAPL as the stock page shows it, declines football, and keeps the conversation across a reload", async ({ browser }) => {
  const ana = await person(browser, `as_${unique}`, "Asa Quill");
  await openHydrated(ana, "/assistant");
  await expect(ana.getByRole("heading", { name: "Assistant", level: 1 })).toBeVisible();

  const box = ana.getByRole("textbox", { name: /Ask about a stock/ });
  await box.fill("What is the RSI of AAPL?");
  await ana.getByRole("button", { name: "Ask", exact: true }).click();

  // The answer: a sentence with the value and the gauge card beside it.
  const answer = ana.locator(".turn-assistant").last();
  const gauge = answer.locator("[data-card=gauge]");
  await expect(gauge).toBeVisible();
  await expect(gauge).toContainText("RSI 14");
  const value = Number(await gauge.getAttribute("data-value"));
  await expect(answer.locator(".bubble")).toContainText(`RSI 14 is ${value.toFixed(1)}`);
  await expect(ana).toHaveURL(/\/assistant\?c=/);
  await saveScreenshot(ana, "assistant");

  // The stock page's state of the stock shows the same RSI (rounded there).
  const stock = await (await browser.newContext({ storageState: await ana.context().storageState() })).newPage();
  await openHydrated(stock, "/markets/AAPL");
  const state = stock.getByRole("region", { name: "State of the stock" });
  // The signal's own text: the region's whole text runs it into the points beside it
  // ("RSI 50" + "0 points" reads "RSI 500 points").
  const signal = state.locator("li.signal > span:first-child").filter({ hasText: /^RSI \d+/ });
  const shown = (await signal.textContent())?.match(/^RSI (\d+)/);
  expect(shown, "the stock page shows an RSI").not.toBeNull();
  expect(Number(shown![1])).toBe(Math.round(value));

  // Football is declined, politely.
  await box.fill("Who won the football match last night?");
  await ana.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(ana.locator(".turn-assistant").last().locator(".bubble")).toHaveText(/^Sorry, I can only help with markets, trading and your portfolio/);

  // A reload finds the conversation: both questions and both answers, and it is in the list.
  await ana.reload();
  await expect(ana.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(ana.locator(".turn-user")).toHaveCount(2);
  await expect(ana.locator(".turn-user").first()).toContainText("What is the RSI of AAPL?");
  await expect(ana.locator(".turn-assistant").first().locator("[data-card=gauge]")).toBeVisible();
  const list = ana.getByRole("complementary", { name: "Conversations" });
  await expect(list.getByRole("button", { name: "What is the RSI of AAPL?" })).toBeVisible();

  // Renamed from the list.
  await list.getByRole("button", { name: "Rename" }).click();
  await list.getByRole("textbox", { name: "Rename" }).fill("Apple momentum");
  await list.getByRole("button", { name: "Save" }).click();
  await expect(list.getByRole("button", { name: "Apple momentum" })).toBeVisible();

  // A new conversation empties the thread; the list opens the old one again.
  await list.getByRole("button", { name: "New conversation" }).click();
  await expect(ana).toHaveURL(/\/assistant$/);
  await expect(ana.locator(".turn-user")).toHaveCount(0);
  await list.getByRole("button", { name: "Apple momentum" }).click();
  await expect(ana.locator(".turn-user")).toHaveCount(2);
  await expect(ana).toHaveURL(/\/assistant\?c=/);
});

test("the side panel answers anywhere in the app, with a clarifying question for an ambiguous name", async ({ browser }) => {
  const bo = await person(browser, `ap_${unique}`, "Bo Panel");
  await openHydrated(bo, "/markets");
  await bo.getByRole("button", { name: "Ask the assistant" }).click();
  const panel = bo.getByRole("complementary", { name: "Assistant" });
  await panel.getByRole("textbox").fill("price of alphabet");
  await panel.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(panel.locator(".bubble").last()).toContainText("Which one do you mean?");
  await panel.getByRole("button", { name: /^GOOGL/ }).click();
  await expect(panel.locator("[data-card=quote]")).toContainText("GOOGL");
  await saveScreenshot(bo, "assistant-panel", false);
  // The full page opens the same conversation.
  await panel.getByRole("link", { name: "Full page" }).click();
  await expect(bo).toHaveURL(/\/assistant\?c=/);
  await expect(bo.locator(".turn-user")).toHaveCount(2);
});
