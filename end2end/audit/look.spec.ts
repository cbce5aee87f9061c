import AxeBuilder from "@axe-core/playwright";
import { Browser, expect, Page, test } from "@playwright/test";
import { openHydrated, saveScreenshot } from "../tests/helpers";

// The account pages, looked at the way people see them: a phone and a desktop, light and dark.
// On each: nothing scrolls sideways, no control is covered by something else, and axe finds no
// serious or critical problem.

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

const viewports = [
  { name: "phone", width: 390, height: 844, isMobile: true },
  { name: "desktop", width: 1280, height: 800, isMobile: false },
] as const;
const schemes = ["light", "dark"] as const;

async function lookAt(page: Page, shot: string) {
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways, `${shot}: the page scrolls sideways by ${sideways}px`).toBeLessThanOrEqual(0);

  // Every visible control in the viewport is the topmost thing at its own centre.
  const covered = await page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea"))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) continue;
      const top = document.elementFromPoint(x, y);
      // Its own content, or its own label (a styled checkbox), is not "covering" it.
      const labels = Array.from((el as HTMLInputElement).labels || []);
      if (top && top !== el && !el.contains(top) && !labels.some((l) => l.contains(top))) {
        const name = (el.textContent || el.getAttribute("aria-label") || el.getAttribute("name") || "").trim();
        found.push(`${el.tagName.toLowerCase()} "${name}" under ${top.tagName.toLowerCase()}.${top.className}`);
      }
    }
    return found;
  });
  expect(covered, `${shot}: covered controls`).toEqual([]);

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  expect(serious, `${shot}: axe`).toEqual([]);
  await saveScreenshot(page, shot);
}

async function contextFor(browser: Browser, viewport: (typeof viewports)[number], scheme: (typeof schemes)[number]) {
  return browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.isMobile,
    hasTouch: viewport.isMobile,
    colorScheme: scheme,
  });
}

for (const viewport of viewports) {
  for (const scheme of schemes) {
    test(`account pages at ${viewport.width}px, ${scheme}`, async ({ browser }) => {
      const context = await contextFor(browser, viewport, scheme);
      const page = await context.newPage();
      for (const [path, name] of [
        ["/signin", "sign-in"],
        ["/signup", "sign-up"],
        ["/forgot-password", "forgot-password"],
        ["/reset-password?token=not-a-real-token", "reset-password"],
      ] as const) {
        await openHydrated(page, path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await lookAt(page, `look-${name}-${viewport.name}-${scheme}`);
      }

      // Signed in: Settings with its security section, then two-factor set-up under way.
      const username = `look_${viewport.name}_${scheme}_${unique}`;
      const signedUp = await page.request.post("/api/session/sign_up", {
        form: { email: `${username}@example.com`, username, display_name: "Lee Look", password: "correct horse battery" },
      });
      expect(signedUp.status(), await signedUp.text()).toBe(200);
      await openHydrated(page, "/settings");
      await expect(page.getByLabel("Display name")).toHaveValue("Lee Look");
      await lookAt(page, `look-settings-${viewport.name}-${scheme}`);
      await expect(async () => {
        const start = page.getByRole("button", { name: "Set up", exact: true });
        if (await start.count()) await start.click({ timeout: 1000 });
        await expect(page.getByLabel("Code from the app")).toBeVisible({ timeout: 1000 });
      }).toPass();
      await lookAt(page, `look-settings-two-factor-${viewport.name}-${scheme}`);
      await context.close();
    });
  }
}
