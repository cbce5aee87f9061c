import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

// The suite's server runs the offline source on a clock set to a weekday's session in New York
// (MARKET_CLOCK in scripts/test), so prices move whatever the hour of the run.

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a guest's stock page: the price changes without a reload, and 1D draws today's session", async ({ page }) => {
  await openHydrated(page, "/markets/AAPL");
  // The price and its time, read together: a quote may come between two separate reads.
  const quote = () =>
    page.evaluate(() => [
      document.querySelector(".quote-line .price")?.textContent?.trim(),
      document.querySelector(".quote-source time")?.getAttribute("datetime"),
    ]);
  const [first, shownAt] = await quote();
  expect(first).toMatch(/\d/);
  // A session in progress has the time of its price, and says the price is simulated.
  expect(shownAt).toBeTruthy();
  await expect(page.locator(".stock-quote .badge")).toHaveText("Simulated");
  // A turn of the offline source is 5 s; the price and its time move without a reload.
  await expect.poll(async () => (await quote())[0], { timeout: 30_000 }).not.toBe(first);
  await expect.poll(async () => (await quote())[1]).not.toBe(shownAt);

  // 1D: today's session in five-minute candles, by time.
  await page.getByRole("button", { name: "1D" }).click();
  const chart = page.getByRole("img", { name: /AAPL · Price chart/ });
  const drawn = async () => JSON.parse((await chart.getAttribute("data-chart")) ?? "{}");
  await expect.poll(async () => (await drawn()).xAxis?.[0]?.data?.[0]).toBe("09:30");
  await expect(chart).toHaveAttribute("data-drawn", "true");
  const candles = async () => (await drawn()).series.find((s: { type: string }) => s.type === "candlestick").data.length;
  const before = await candles();
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThanOrEqual(78);
  // The last candle moves with the price: the option is drawn again as quotes come.
  const lastCandle = async () => JSON.stringify((await drawn()).series.find((s: { type: string }) => s.type === "candlestick").data.at(-1));
  const was = await lastCandle();
  await expect.poll(lastCandle, { timeout: 30_000 }).not.toBe(was);
  await saveScreenshot(page, "stock-live-1d");

  // 5D: the last five sessions, by day and time.
  await page.getByRole("button", { name: "5D" }).click();
  await expect.poll(async () => (await drawn()).xAxis?.[0]?.data?.[0]).toMatch(/^\d\d-\d\d 09:30$/);
});

test("a person's watchlist prices move live on the markets home", async ({ browser }) => {
  const ana = await person(browser, `lp_${unique}`, "Lena Park");
  await openHydrated(ana, "/markets");
  const card = ana.locator(".watch-card").first();
  await expect(card).toBeVisible();
  const price = card.locator(".price");
  const first = (await price.textContent())?.trim();
  await expect.poll(async () => (await price.textContent())?.trim(), { timeout: 30_000 }).not.toBe(first);
});

test("indicators: each with its own numbers, refused in words when they don't fit, and kept for the person", async ({ browser }) => {
  const ana = await person(browser, `ix_${unique}`, "Ida Xu");
  await openHydrated(ana, "/markets/MSFT");
  const chips = ana.getByRole("list", { name: "Indicators" });
  await expect(chips).toContainText("SMA 20");
  const chart = ana.getByRole("img", { name: /MSFT · Price chart/ });
  const names = async () =>
    JSON.parse((await chart.getAttribute("data-chart")) ?? "{}").series?.map((s: { name: string }) => s.name) ?? [];

  // A Bollinger band of 10 days and 2.5 σ, and a stochastic pane.
  await ana.getByLabel("Indicator", { exact: true }).selectOption({ label: "Bollinger" });
  await ana.getByLabel("Period").fill("10");
  await ana.getByLabel("Width (σ)").fill("2.5");
  await ana.getByRole("button", { name: "Add", exact: true }).click();
  await expect(chips).toContainText("Bollinger 10, 2.5");
  await ana.getByLabel("Indicator", { exact: true }).selectOption({ label: "Stochastic" });
  await ana.getByRole("button", { name: "Add", exact: true }).click();
  await expect.poll(names).toEqual(expect.arrayContaining(["Bollinger 10, 2.5", "Stochastic 14, 3, 3 %K"]));
  // SMA 20 goes.
  await ana.getByRole("button", { name: "Remove SMA 20" }).click();
  await expect.poll(names).not.toContain("SMA 20");

  // Numbers that don't fit are refused in words, and nothing is added.
  await ana.getByLabel("Indicator", { exact: true }).selectOption({ label: "SMA" });
  await ana.getByLabel("Period").fill("0");
  await ana.getByRole("button", { name: "Add", exact: true }).click();
  await expect(ana.locator(".add-indicator").getByRole("alert")).toContainText("periods are whole numbers from 1 to 400");
  await saveScreenshot(ana, "stock-indicators");

  // Kept with the account: another page (and device) draws the same.
  await openHydrated(ana, "/markets/IBM");
  const again = ana.getByRole("list", { name: "Indicators" });
  await expect(again).toContainText("Bollinger 10, 2.5");
  await expect(again).toContainText("Stochastic 14, 3, 3");
  await expect(again).not.toContainText("SMA 20");
});

test("a message naming $tickers shows their live prices under its words; one no source knows, none", async ({ browser }) => {
  const ana = await person(browser, `ct_${unique}`, "Cato Tran");
  await openHydrated(ana, "/c/bullpen/general");
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  const words = `Eyeing $MSFT and $NOPE ${unique}`;
  await box.fill(words);
  await box.press("Enter");
  const message = ana.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: unique });
  // The words stay the words; the prices are a row of their own.
  await expect(message.locator(".message-body")).toHaveText(words);
  const prices = message.getByRole("list", { name: "Prices of the tickers named" }).getByRole("listitem");
  await expect(prices).toHaveCount(1);
  // Simulated, and saying so in the pill as the stock page does.
  await expect(prices).toHaveText(/^\$MSFT [\d,]+\.\d\d [+−]?\d+\.\d\d % Simulated$/);
  await expect(prices).toHaveAttribute("title", "Offline data: a simulation, not a real price.");
  const first = (await prices.textContent())?.trim();
  await expect.poll(async () => (await prices.textContent())?.trim(), { timeout: 30_000 }).not.toBe(first);

  // A reader who opens the channel later sees them too, once the page has hydrated.
  const bo = await person(browser, `ct2_${unique}`, "Bea Tran");
  await openHydrated(bo, "/c/bullpen/general");
  const seen = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: unique });
  await expect(seen.getByRole("list", { name: "Prices of the tickers named" }).getByRole("listitem")).toHaveCount(1);
  await saveScreenshot(bo, "chat-cashtag-prices", false);
});

test("a portfolio's totals and weights move with its holdings' live prices", async ({ browser }) => {
  const ana = await person(browser, `pl_${unique}`, "Pat Lowe");
  await openHydrated(ana, "/portfolio");
  const form = ana.locator("#transaction-form");
  for (const [symbol, shares] of [["AAPL", "4"], ["MSFT", "2"]]) {
    await form.getByLabel("Type").selectOption("BUY");
    await form.getByLabel("Date").fill("2024-01-02");
    await form.getByLabel("Symbol").fill(symbol);
    await form.getByLabel("Shares").fill(shares);
    await form.getByLabel("Price per share").fill("100");
    await form.getByRole("button", { name: "Add" }).click();
    await expect(ana.getByRole("region", { name: "Holdings" }).getByRole("link", { name: symbol })).toBeVisible();
  }
  const totals = ana.getByRole("region", { name: "Totals" });
  const value = totals.locator(".stat").filter({ hasText: "Value" }).locator(".stat-value");
  const holdings = ana.getByRole("region", { name: "Holdings" });
  const footer = holdings.locator("table.holdings tfoot td");
  const figure = (text: string | null) => Number((text ?? "").replace(/[^\d.]/g, ""));
  const first = (await value.textContent())?.trim();
  await expect.poll(async () => (await value.textContent())?.trim(), { timeout: 30_000 }).not.toBe(first);
  // Whatever moved, the figures agree with each other: the rows add up to the total, and the
  // weights to 100 %.
  await expect(async () => {
    const rows = holdings.locator("table.holdings tbody tr");
    const values = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[3].textContent));
    const weights = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[7].textContent));
    const total = figure(await footer.nth(3).textContent());
    expect(Math.abs(values.map(figure).reduce((a, b) => a + b, 0) - total)).toBeLessThan(0.015);
    expect(Math.abs(weights.map(figure).reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.05);
    expect(figure(await value.textContent())).toBeCloseTo(total, 2);
  }).toPass({ timeout: 10_000 });
});
