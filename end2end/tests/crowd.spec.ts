import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** `page` creates a community called `name` and lands in its #general: the message box. */
async function community(page: import("@playwright/test").Page, name: string) {
  await openHydrated(page, "/communities");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create community" }).click();
  await expect(page.getByRole("heading", { name: "#general" })).toBeVisible();
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  return page.getByRole("textbox", { name: /^Message #/ });
}

test("a stock page's stream shows a message posted in another community as it is posted, with its mood and a way there", async ({ browser }) => {
  const ana = await person(browser, `cr_ana_${unique}`, "Ana Crowd");
  const bo = await person(browser, `cr_bo_${unique}`, "Bo Crowd");
  const name = `Crowd ${unique}`;
  const box = await community(ana, name);
  const channel = new URL(ana.url()).pathname;

  // Bo, in none of Ana's communities, has the stock page open.
  await openHydrated(bo, "/markets/DDOG");
  const stream = bo.getByRole("region", { name: "Recent mentions" });
  await expect(stream).toBeVisible();
  const line = `Bullish on $DDOG, buying more ${unique}`;
  await box.fill(line);
  await box.press("Enter");
  await expect(ana.getByRole("log", { name: "Messages" }).getByText(line)).toBeVisible();

  // It arrives without a reload, newest first, with its mood and a link into its channel.
  const first = stream.getByRole("listitem").first();
  await expect(first).toContainText(line, { timeout: 15_000 });
  await expect(first).toContainText("Bullish");
  await expect(first.getByRole("link", { name: `${name} · #general` })).toHaveAttribute("href", channel);
  await saveScreenshot(bo, "stock-crowd");

  // Ana's own community's mood sits beside the price once the day is counted.
  await expect(async () => {
    await openHydrated(ana, "/markets/DDOG");
    await expect(ana.getByRole("region", { name: "Your communities' mood" }).getByRole("listitem").filter({ hasText: name }))
      .toContainText("1 mention in 30 days", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await saveScreenshot(ana, "stock-moods");
});

test("trending ranks a ticker that was just mentioned ten times", async ({ browser, page }) => {
  const cy = await person(browser, `tr_cy_${unique}`, "Cy Trend");
  const box = await community(cy, `Trend ${unique}`);
  // Ten lines (the most a minute allows), each naming it.
  for (let i = 1; i <= 10; i++) {
    const line = `$NET call ${i} ${unique}`;
    await box.fill(line);
    await box.press("Enter");
    await expect(cy.getByRole("log", { name: "Messages" }).getByText(line)).toBeVisible();
  }
  // A guest on the markets home sees it first: ten this hour against none usually.
  await openHydrated(page, "/markets");
  const trending = page.getByRole("region", { name: "Trending now" });
  const top = trending.getByRole("listitem").first();
  await expect(top.getByRole("link", { name: "$NET" })).toHaveAttribute("href", "/markets/NET");
  await expect(top).toContainText("10 mentions this hour");
  await expect(top).toContainText("10.0× usual");
  await saveScreenshot(page, "markets-trending");
});
