import { request } from "@playwright/test";
import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test.describe("API tokens", () => {
  test("a token made in Settings is shown once, works on the API within its scopes, and stops when revoked", async ({ browser, baseURL }) => {
    const page = await person(browser, `tok_${unique}`, "Toni Token");
    await openHydrated(page, "/settings");
    const section = page.getByRole("region", { name: "API tokens" });
    await expect(section.getByText("No tokens yet.")).toBeVisible();

    // Without a name the server says what is missing; nothing is made.
    await section.getByRole("button", { name: "Make token" }).click();
    await expect(section.getByRole("alert")).toContainText("Give the token a name");

    await section.getByLabel("Name", { exact: true }).fill("Price bot");
    await section.getByRole("checkbox", { name: /chat:write/ }).check();
    await section.getByLabel("Expires").selectOption({ label: "In 7 days" });
    await section.getByRole("button", { name: "Make token" }).click();
    await expect(section.getByRole("status")).toContainText("it is shown only this once");
    const token = await section.getByLabel("Token", { exact: true }).inputValue();
    expect(token).toMatch(/^bp_[a-z2-7]{40}$/);
    const row = section.getByRole("listitem").filter({ hasText: "Price bot" });
    await expect(row).toContainText(`bp_…${token.slice(-4)}`);
    await expect(row).toContainText("chat:read");
    await expect(row).toContainText("chat:write");
    await expect(row).toContainText("never used");
    await saveScreenshot(page, "api-tokens");

    // A script with it: who am I, which communities; the portfolio is outside its scopes.
    const script = await request.newContext({ baseURL });
    const auth = { Authorization: `Bearer ${token}` };
    const me = await script.get("/api/v1/me", { headers: auth });
    expect(me.status()).toBe(200);
    expect((await me.json()).username).toBe(`tok_${unique}`);
    expect((await script.get("/api/v1/communities", { headers: auth })).status()).toBe(200);
    const refused = await script.get("/api/v1/portfolio", { headers: auth });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error).toContain("portfolio:read");

    // After a reload the token's text is gone for good; its use is noted.
    await openHydrated(page, "/settings");
    await expect(section.getByLabel("Token", { exact: true })).toHaveCount(0);
    await expect(row).toContainText("last used");

    // Revoked: the list empties and the script is refused at once.
    await row.getByRole("button", { name: "Revoke Price bot" }).click();
    await expect(section.getByText("No tokens yet.")).toBeVisible();
    expect((await script.get("/api/v1/me", { headers: auth })).status()).toBe(401);
    await script.dispose();
  });

  test("the API reference lists the routes and reads in the reader's language", async ({ browser }) => {
    const context = await browser.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    await page.goto("/api/docs");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bullpen-API");
    await expect(page.getByRole("heading", { name: "Erste Schritte" })).toBeVisible();
    await expect(page.getByText("/api/v1/channels/{channel_id}/messages").first()).toBeVisible();
    await page.getByRole("link", { name: "messages", exact: true }).click();
    await expect(page).toHaveURL(/#tag-messages$/);
    const document = await page.request.get("/api/v1/openapi.json");
    expect((await document.json()).paths["/api/v1/me"]).toBeTruthy();
    await context.close();
  });
});
