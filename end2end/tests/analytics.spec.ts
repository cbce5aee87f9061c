import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("community analytics", () => {
  test("the owner reads the community's figures, charts and CSV; a member is refused", async ({ browser }) => {
    const ana = await person(browser, `aana_${unique}`, "Ana Lima");
    const bo = await person(browser, `abo_${unique}`, "Bo Chen");
    const url = await shareCommunity(ana, bo, `Figures ${unique}`);
    const slug = url.split("/")[4];

    for (const [who, line] of [
      [ana, "$AAPL to the moon, so bullish"],
      [bo, "$AAPL looks great, strong buy"],
      [bo, "morning all"],
    ] as const) {
      const box = who.getByRole("textbox", { name: "Message #general" });
      await box.fill(line);
      await box.press("Enter");
      await expect(who.getByRole("log", { name: "Messages" }).getByText(line)).toBeVisible();
    }

    // From the manage page; the roll-up runs every few seconds on the test server.
    await openHydrated(ana, `/manage/${slug}`);
    await ana.getByRole("link", { name: "Analytics" }).click();
    await expect(ana.getByRole("heading", { name: "Analytics", level: 1 })).toBeVisible();
    await expect
      .poll(
        async () => {
          await openHydrated(ana, `/analytics/${slug}`);
          return ana.getByTestId("total-messages").textContent();
        },
        { timeout: 30_000 },
      )
      .toBe("3");
    await expect(ana.getByTestId("total-active")).toHaveText("2");
    await expect(ana.getByTestId("total-joined")).toHaveText("2");
    const cashtags = ana.getByRole("table").filter({ hasText: "Mentions" });
    await expect(cashtags.getByRole("row", { name: /\$AAPL/ })).toContainText("+100");
    // The charts are drawn.
    await expect(ana.getByRole("img", { name: "Messages and active members per day" }).locator("canvas")).toHaveCount(1);
    await ana.waitForLoadState("networkidle");
    await saveScreenshot(ana, "analytics");

    // A range from the presets, then by date: the address holds it.
    await ana.getByRole("link", { name: "7 days" }).click();
    await expect(ana).toHaveURL(/from=\d{4}-\d{2}-\d{2}&to=/);
    const to = await ana.getByLabel("To", { exact: true }).inputValue();
    await ana.getByLabel("From", { exact: true }).fill(to);
    await ana.getByRole("button", { name: "Show" }).click();
    await expect(ana).toHaveURL(new RegExp(`from=${to}&to=${to}`));
    await expect(ana.getByTestId("total-messages")).toHaveText("3");

    const csv = await ana.request.get(await ana.getByRole("link", { name: "Download CSV" }).getAttribute("href") ?? "");
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toContain("day,messages,active_members");
    expect(lines[1]).toMatch(new RegExp(`^${to},3,2,`));

    // A member is told no, and sees no figure.
    await openHydrated(bo, `/analytics/${slug}`);
    await expect(bo.getByRole("alert")).toBeVisible();
    await expect(bo.getByTestId("total-messages")).toHaveCount(0);
  });
});
