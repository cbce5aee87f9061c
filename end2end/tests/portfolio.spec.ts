import * as path from "node:path";
import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("two buys and a sale: holdings, gains and both charts; a CSV with a bad row is reported before anything is saved", async ({ browser }) => {
  const ana = await person(browser, `pf_${unique}`, "Pia Fenwick");
  await openHydrated(ana, "/portfolio");
  await expect(ana.getByRole("heading", { name: "Your first transaction" })).toBeVisible();

  const form = ana.locator("#transaction-form");
  let recorded = 0;
  const record = async (kind: string, date: string, shares: string, price: string, fees = "") => {
    await form.getByLabel("Type").selectOption(kind);
    await form.getByLabel("Date").fill(date);
    await form.getByLabel("Symbol").fill("AAPL");
    await form.getByLabel("Shares").fill(shares);
    await form.getByLabel("Price per share").fill(price);
    await form.getByLabel("Fees").fill(fees);
    await form.getByRole("button", { name: "Add" }).click();
    recorded += 1;
    // The page redraws with the new transaction listed (a header row + one per transaction).
    await expect(ana.getByRole("region", { name: "Transactions" }).getByRole("row")).toHaveCount(recorded + 1);
    await expect(ana.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  };

  // A mistake is named under its field, in the browser, before anything is sent.
  await form.getByLabel("Date").fill("2024-01-02");
  await form.getByLabel("Symbol").fill("AAPL");
  await form.getByLabel("Shares").fill("ten");
  await form.getByLabel("Price per share").fill("100");
  await form.getByRole("button", { name: "Add" }).click();
  await expect(form.getByText("Shares must be a number above 0.")).toBeVisible();

  await record("BUY", "2024-01-02", "10", "100");
  await record("BUY", "2024-02-01", "10", "120", "5");
  await record("SELL", "2024-03-01", "15", "130", "5");

  // FIFO: 1,945 proceeds − (1,000 + 602.50) = +342.50 realized; 5 shares left at 120.50.
  const holdings = ana.getByRole("region", { name: "Holdings" });
  const row = holdings.getByRole("row").filter({ has: ana.getByRole("link", { name: "AAPL" }) });
  await expect(row).toContainText("120.50");
  await expect(row.getByRole("cell").first()).toHaveText("5");
  const sales = ana.getByRole("region", { name: "Realized gains" });
  await expect(sales).toContainText("+342.50");
  await expect(ana.getByRole("region", { name: "Totals" })).toContainText("+342.50");

  // Selling more than held is refused in words.
  await form.getByLabel("Type").selectOption("SELL");
  await form.getByLabel("Date").fill("2024-04-01");
  await form.getByLabel("Symbol").fill("AAPL");
  await form.getByLabel("Shares").fill("6");
  await form.getByLabel("Price per share").fill("130");
  await form.getByRole("button", { name: "Add" }).click();
  await expect(ana.getByRole("alert").filter({ hasText: "you held 5 AAPL shares, so you cannot sell 6" })).toBeVisible();

  // Both charts are drawn: the value against the S&P 500, and the allocation doughnuts.
  const value = ana.getByRole("img", { name: "Value over time" });
  await expect(value).toHaveAttribute("data-drawn", "true");
  const option = JSON.parse((await value.getAttribute("data-chart")) ?? "{}");
  expect(option.series.map((s: { name: string }) => s.name)).toEqual(["Portfolio", "S&P 500", "Invested"]);
  await ana.getByRole("button", { name: "All" }).click();
  await expect.poll(async () => Number(await value.getAttribute("data-days"))).toBeGreaterThan(400);
  await expect(ana.getByRole("img", { name: "By holding" })).toHaveAttribute("data-drawn", "true");
  await expect(ana.getByRole("img", { name: "By sector" })).toHaveAttribute("data-drawn", "true");
  await saveScreenshot(ana, "portfolio");

  // Sorting the table by a column.
  await holdings.getByRole("button", { name: "Symbol" }).click();
  await expect(holdings.getByRole("columnheader", { name: "Symbol" })).toHaveAttribute("aria-sort", "ascending");

  // Import: a file with one bad row is mapped, checked, reported — and nothing is saved yet.
  const csv = [
    "Trade Date,Action,Ticker,Quantity,Price",
    "2024-04-02,BUY,MSFT,3,400",
    "2024-13-40,BUY,MSFT,1,400",
    "2024-04-03,BUY,IBM,2,180",
  ].join("\n");
  await ana.getByLabel("CSV file").setInputFiles({ name: "broker.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(ana.getByText("broker.csv: 3 rows.")).toBeVisible();
  await expect(ana.getByLabel("Date", { exact: true }).last()).toHaveValue("0");
  await ana.getByRole("button", { name: "Check 3 rows" }).click();
  const report = ana.locator(".import-report");
  await expect(report).toContainText("Ready to import: 2");
  await expect(report.getByRole("row").filter({ hasText: "3" })).toContainText("Write the date as YYYY-MM-DD");
  await ana.locator(".import").screenshot({ path: path.join(__dirname, "..", "artifacts", "portfolio-import-report.png") });
  await expect(holdings).not.toContainText("MSFT");
  await ana.getByRole("button", { name: "Import 2 rows" }).click();
  await expect(ana.getByText("Imported 2 transactions.")).toBeVisible();
  await expect(holdings.getByRole("link", { name: "MSFT" })).toBeVisible();
  await expect(holdings.getByRole("link", { name: "IBM" })).toBeVisible();

  // On a phone the page still reads.
  await ana.setViewportSize({ width: 390, height: 844 });
  await saveScreenshot(ana, "portfolio-phone");
});

test("a price alert can be set and is listed as waiting", async ({ browser }) => {
  const bo = await person(browser, `pa_${unique}`, "Pax Arden");
  await openHydrated(bo, "/portfolio");
  const alerts = bo.getByRole("region", { name: "Price alerts" });
  await alerts.getByLabel("Symbol").fill("IBM");
  await alerts.getByLabel("When the price goes").selectOption("above");
  await alerts.getByLabel("Alert price").fill("100000");
  await alerts.getByRole("button", { name: "Add alert" }).click();
  await expect(alerts.getByRole("listitem").filter({ hasText: "IBM" })).toContainText("when above 100,000.00");
  await expect(alerts.getByRole("listitem").filter({ hasText: "IBM" })).toContainText("Waiting");
});
