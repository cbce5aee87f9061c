import { Page } from "@playwright/test";
import { expect, openHydrated, person, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** What has the keyboard's focus: its accessible-ish name, and whether a ring shows it. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const ringed = (e: Element | null) => {
      if (!e) return false;
      const s = getComputedStyle(e);
      return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1;
    };
    const box = el.getBoundingClientRect();
    // A visually hidden input (a chip, a swatch, the file picker) shows its focus on what draws it.
    const hidden = box.width <= 1 || box.height <= 1;
    const shown = hidden
      ? ringed(el.nextElementSibling) || ringed(el.closest("label")) || ringed(el.closest(".import"))
      : ringed(el);
    const name = (el.getAttribute("aria-label") || el.textContent || (el as HTMLInputElement).name || el.tagName).trim();
    return { name: name.slice(0, 60), tag: el.tagName, shown };
  });
}

/** Presses Tab `stops` times; every control reached must show that it has the focus. */
async function walk(page: Page, stops: number) {
  const reached: string[] = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (!now) continue;
    expect(now.shown, `no visible focus on ${now.tag} "${now.name}" (stop ${i + 1})`).toBe(true);
    reached.push(now.name);
  }
  return reached;
}

test("the first Tab offers to skip to the page, and every stop shows its focus", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openHydrated(page, "/markets");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  const box = await skip.boundingBox();
  expect(box && box.y >= 0 && box.height > 10, "the skip link is on screen once focused").toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  // From the page itself onwards: the next stop is inside it, not back in the top bar.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main")))).toBe(true);

  await openHydrated(page, "/markets");
  const reached = await walk(page, 40);
  expect(reached.length).toBeGreaterThan(20);
});

test("in a channel, a message's actions and the composer are reached by keyboard alone", async ({ browser }) => {
  const ana = await person(browser, `kb_ana_${unique}`, "Ana Keys");
  await ana.setViewportSize({ width: 1280, height: 800 });
  await openHydrated(ana, "/communities");
  await ana.getByLabel("Name").fill(`Keys ${unique}`);
  await ana.getByRole("button", { name: "Create community" }).click();
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  await expect(ana.getByText("Live", { exact: true })).toBeVisible();
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  await box.fill("Hello from the keyboard");
  await box.press("Enter");
  const log = ana.getByRole("log", { name: "Messages" });
  await expect(log.getByText("Hello from the keyboard")).toBeVisible();

  // From the top of the page, Tab alone reaches the message's Reply (shown while focus is in
  // the message) and then the composer.
  await ana.locator("main#main").focus();
  let reply = false;
  let composer = false;
  for (let i = 0; i < 80 && !(reply && composer); i++) {
    await ana.keyboard.press("Tab");
    const now = await focused(ana);
    if (!now) continue;
    expect(now.shown, `no visible focus on ${now.tag} "${now.name}"`).toBe(true);
    if (now.name === "Reply") {
      reply = true;
      await expect(log.getByRole("button", { name: "Reply" })).toBeVisible();
    }
    if (reply && (await box.evaluate((el) => el === document.activeElement))) composer = true;
  }
  expect(reply, "Reply reached by Tab").toBe(true);
  expect(composer, "the composer reached by Tab after the messages").toBe(true);
});
