import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a visitor's landing page offers Create account and Sign in", async ({ page }) => {
  await openHydrated(page, "/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where investors talk markets in real time");
  const hero = page.locator(".hero");
  await expect(hero.getByRole("link", { name: "Create account" })).toHaveAttribute("href", "/signup");
  await expect(hero.getByRole("link", { name: "Sign in", exact: true })).toHaveAttribute("href", "/signin");
});

test("signed in, home is one's own: unread and mentions per channel, portfolio, watchlist, trending tickers", async ({ browser }) => {
  const ana = await person(browser, `home_ana_${unique}`, "Ana Home");
  const bo = await person(browser, `home_bo_${unique}`, "Bo Home");
  const community = `Home ${unique}`;

  // Ana makes a community; Bo joins and reads #general once, so he has a read position.
  await openHydrated(ana, "/communities");
  await ana.getByLabel("Name").fill(community);
  await ana.getByRole("button", { name: "Create community" }).click();
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  const channel = new URL(ana.url()).pathname;
  await openHydrated(bo, "/communities");
  const card = bo.getByRole("listitem").filter({ hasText: community });
  await card.getByRole("button", { name: "Join" }).click();
  await expect(card.getByRole("link", { name: "Open" })).toBeVisible();

  // While Bo is elsewhere, Ana writes three lines, one of them to him.
  await expect(ana.getByText("Live", { exact: true })).toBeVisible();
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  for (const line of ["Morning all, $CRWD into the print", `@home_bo_${unique} what do you make of $CRWD?`, "and $SNOW too"]) {
    await box.fill(line);
    await box.press("Enter");
    await expect(ana.getByRole("log", { name: "Messages" }).getByText(line.replace(/^@\S+ /, ""))).toBeVisible();
  }

  // Bo has a holding, so his home shows its value.
  const added = await bo.request.post("/api/portfolio/add", {
    data: { symbol: "AAPL", shares: "3", averagePrice: "150", purchaseDate: "2024-01-02" },
  });
  expect(added.status(), await added.text()).toBe(200);

  await openHydrated(bo, "/");
  await expect(bo.getByRole("heading", { level: 1 })).toHaveText("Welcome back, Bo Home");
  const mine = bo.getByRole("region", { name: "Your communities" });
  const line = mine.getByRole("listitem").filter({ hasText: community }).first();
  await expect(line).toContainText("3 unread");
  await expect(line.getByText("1 mention of you").first()).toBeAttached();
  const general = line.getByRole("link", { name: /general/ });
  await expect(general).toHaveAttribute("href", channel);

  await expect(bo.getByRole("region", { name: "Portfolio" })).toContainText("Value");
  await expect(bo.getByRole("region", { name: "Portfolio" }).getByRole("link", { name: "Open the portfolio" })).toBeVisible();
  // A new person's watchlist is the suggested one, priced.
  const watch = bo.getByRole("region", { name: "Popular stocks" });
  await expect(watch.getByRole("link").filter({ hasText: "AAPL" })).toBeVisible();

  // CRWD was named twice this hour (other tests name tickers too, so only its line is looked at).
  const trending = bo.getByRole("region", { name: "Trending now" });
  await expect(trending.getByRole("listitem").filter({ hasText: "$CRWD" })).toContainText(/\d+ mentions this hour/);
  await expect(trending.getByRole("link", { name: "$CRWD" })).toHaveAttribute("href", "/markets/CRWD");
  await saveScreenshot(bo, "home-signed-in");

  // Reading the channel clears it from the home.
  await general.click();
  await expect(bo.getByRole("heading", { name: "#general" })).toBeVisible();
  await expect(bo.getByRole("log", { name: "Messages" }).getByText("and $SNOW too")).toBeVisible();
  await expect(async () => {
    await openHydrated(bo, "/");
    await expect(bo.getByRole("region", { name: "Your communities" }).getByRole("listitem").filter({ hasText: community }).first())
      .toContainText("All caught up", { timeout: 1000 });
  }).toPass();
});
