import { expect, person, reloadHydrated, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("portfolio cards", () => {
  test("a holding shared with percentages only shows no amount, and says so when its portfolio is deleted", async ({ browser }) => {
    const ana = await person(browser, `cana_${unique}`, "Ana Lima");
    const bo = await person(browser, `cbo_${unique}`, "Bo Chen");
    for (const [symbol, shares] of [["aapl.us", 10], ["msft.us", 4]] as const) {
      const added = await ana.request.post("/api/portfolio/add", {
        data: { symbol, shares, averagePrice: 100, purchaseDate: "2024-01-02", sector: "Tech" },
      });
      expect(added.status(), await added.text()).toBe(200);
    }
    await shareCommunity(ana, bo, `Cards ${unique}`);

    await ana.getByRole("button", { name: "Share a portfolio" }).click();
    const form = ana.getByRole("form", { name: "Share a portfolio" });
    await form.getByLabel("What to share").selectOption("AAPL");
    await expect(form.getByLabel("Percentages only (hide amounts)")).toBeChecked();
    await form.getByRole("button", { name: "Share" }).click();
    await expect(form).toHaveCount(0);

    const line = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "$AAPL" });
    const card = line.getByRole("region", { name: "Shared portfolio" });
    await expect(card.getByText("Percentages only", { exact: true })).toBeVisible();
    await expect(card.getByText("Weight")).toBeVisible();
    await expect(card.getByTestId("card-day")).toContainText("%");
    await expect(card.getByTestId("card-value")).toHaveCount(0);
    await saveScreenshot(bo, "portfolio-card");

    // The whole portfolio with amounts: a value and a row per holding.
    await ana.getByRole("button", { name: "Share a portfolio" }).click();
    await form.getByLabel("Percentages only (hide amounts)").uncheck();
    await form.getByLabel("Words to go with it (optional)").fill("Where I stand");
    await form.getByRole("button", { name: "Share" }).click();
    const whole = bo.getByRole("article").filter({ hasText: "Where I stand" }).getByRole("region", { name: "Shared portfolio" });
    await expect(whole.getByTestId("card-value")).toContainText("USD");
    await expect(whole.getByRole("row")).toHaveCount(3);

    // Ana deletes the portfolio: the cards say so.
    const portfolio = await (await ana.request.get("/api/portfolio")).json();
    const deleted = await ana.request.post("/api/portfolio/delete", { data: { id: portfolio.portfolio.id } });
    expect(deleted.status()).toBe(200);
    await reloadHydrated(bo);
    await expect(bo.getByText("Its owner deleted this portfolio.")).toHaveCount(2);
  });
});
