import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("search finds a message in another form of its words, marks the match, filters by author and opens the channel", async ({ browser }) => {
  const ana = await person(browser, `srch_${unique}`, "Ana Search");
  await openHydrated(ana, "/communities");
  await ana.getByLabel("Name").fill(`Search Desk ${unique}`);
  await ana.getByRole("button", { name: "Create community" }).click();
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  const channel = new URL(ana.url()).pathname;
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  for (const line of [`The Fed held rates ${unique}`, `Stocks rallied after the decision ${unique}`]) {
    await box.fill(line);
    await box.press("Enter");
    await expect(ana.getByRole("log", { name: "Messages" }).getByText(line)).toBeVisible();
  }

  // The magnifier in the top bar opens search; "stock" finds "Stocks", marked.
  await ana.getByRole("link", { name: "Search", exact: true }).click();
  await expect(ana.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
  const query = ana.getByRole("searchbox", { name: "Search messages, people and channels" });
  await query.fill(`stock ${unique}`);
  await query.press("Enter");
  // What the words found (messages similar in meaning are listed apart, after them).
  const hits = ana.locator(".search-hits:not(.search-similar) .search-hit");
  await expect(hits).toHaveCount(1);
  await expect(hits.first().locator("mark").first()).toHaveText("Stocks");
  await expect(hits.first()).toContainText("#general");
  await saveScreenshot(ana, "search-results", false);

  // A filter narrows it; nothing found says so.
  await query.fill(`${unique} from:nobody_${unique}`);
  await query.press("Enter");
  await expect(ana.getByText("Nothing found for that search.")).toBeVisible();
  await query.fill(`fed ${unique} from:srch_${unique}`);
  await query.press("Enter");
  await expect(hits).toHaveCount(1);
  await expect(hits.first()).toContainText("held rates");

  // The hit opens its channel on that message, highlighted.
  await hits.first().getByRole("link", { name: "Open in the channel" }).click();
  await expect(ana).toHaveURL(new RegExp(`${channel}\\?at=\\d+$`));
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  const target = ana.locator("article.message.jumped-to");
  await expect(target).toContainText("held rates");
  await expect(target).toBeInViewport();
});
