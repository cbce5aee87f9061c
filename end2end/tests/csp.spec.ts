import { Page } from "@playwright/test";
import { expect, openHydrated, person, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/**
 * Records every Content-Security-Policy violation the page reports — the DOM event and
 * Chromium's console message — across navigations.
 */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding("reportCspViolation", (_source, text: string) => {
    violations.push(text);
  });
  // Init scripts run through the DevTools protocol, which the page's policy does not govern.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation;
      report(`${location.pathname}: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return violations;
}

/** Opens a page, checks that it is served under the nonce policy, and waits for hydration. */
async function visit(page: Page, url: string) {
  const response = await openHydrated(page, url);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy, `${url} is served with its policy`).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  expect(policy).toContain("frame-ancestors 'none'");
}

test("the app runs under its Content-Security-Policy: no page, chart, socket or theme change is blocked", async ({ browser }) => {
  const ana = await person(browser, `csp_${unique}`, "Cyd Policy");
  const violations = await watchViolations(ana);

  await visit(ana, "/");
  await visit(ana, "/markets");

  // A stock page: ECharts is fetched from /vendor and draws the chart.
  await visit(ana, "/markets/AAPL");
  const chart = ana.getByRole("img", { name: /AAPL · Price chart/ });
  await expect(chart).toHaveAttribute("data-drawn", "true");
  await expect(chart.locator("canvas").first()).toBeVisible();
  // A tooltip (ECharts styles it inline) and a redraw in the other theme.
  await chart.hover();
  await ana.getByRole("button", { name: /Change theme/ }).click();
  await ana.getByRole("button", { name: /Change theme/ }).click();
  await expect(chart).toHaveAttribute("data-drawn", "true");

  // A channel: the websocket connects (connect-src 'self') and a message goes round.
  await visit(ana, "/c/bullpen/general");
  await expect(ana.getByText("Live", { exact: true })).toBeVisible();
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  await box.fill(`Policy check ${unique} on $AAPL`);
  await box.press("Enter");
  await expect(ana.getByRole("log", { name: "Messages" }).getByText(`Policy check ${unique}`)).toBeVisible();

  // The portfolio with a holding: its value chart and allocation doughnuts.
  await visit(ana, "/portfolio");
  const form = ana.locator("#transaction-form");
  await form.getByLabel("Type").selectOption("BUY");
  await form.getByLabel("Date").fill("2024-01-02");
  await form.getByLabel("Symbol").fill("AAPL");
  await form.getByLabel("Shares").fill("10");
  await form.getByLabel("Price per share").fill("100");
  await form.getByRole("button", { name: "Add" }).click();
  await expect(ana.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(ana.getByRole("img", { name: "Value over time" })).toHaveAttribute("data-drawn", "true");

  // The assistant: an answer with a card (the gauge is positioned by a style attribute).
  await visit(ana, "/assistant");
  await ana.getByRole("textbox", { name: /Ask about a stock/ }).fill("What is the RSI of AAPL?");
  await ana.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(ana.locator(".turn-assistant").last().locator("[data-card=gauge]")).toBeVisible();

  await visit(ana, "/settings");
  await visit(ana, "/communities");
  // The service worker registered on the first page is a file of the site too.
  await expect.poll(() => ana.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL ?? "")).toContain("/sw.js");

  expect(violations, violations.join("\n")).toEqual([]);
});

test("a guest's pages and the sign-in page run under the policy too", async ({ page }) => {
  const violations = await watchViolations(page);
  for (const url of ["/", "/markets", "/markets/MSFT", "/signin", "/signup", "/no/such/page"]) {
    const response = await page.goto(url);
    expect(response?.headers()["content-security-policy"] ?? "", url).toContain("'nonce-");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  }
  expect(violations, violations.join("\n")).toEqual([]);
});

test("no other site can frame the app", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
});
