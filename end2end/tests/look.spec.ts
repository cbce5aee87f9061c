import AxeBuilder from "@axe-core/playwright";
import { Browser, Locator, Page } from "@playwright/test";
import { expect, openHydrated, saveScreenshot, test } from "./helpers";

// Every section, looked at the way people see it: a phone and a desktop, light and dark. On each
// page: nothing scrolls sideways, no control is covered by something else, and axe finds no
// serious or critical problem. Screenshots land in end2end/artifacts/look-*.png.

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

const viewports = [
  { name: "phone", width: 390, height: 844, isMobile: true },
  { name: "desktop", width: 1280, height: 800, isMobile: false },
] as const;
const schemes = ["light", "dark"] as const;

async function lookAt(page: Page, shot: string) {
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways, `${shot}: the page scrolls sideways by ${sideways}px`).toBeLessThanOrEqual(0);

  // Every control, once scrolled to the way the browser scrolls to a focused field, is the
  // topmost thing at its own centre: nothing (a sticky bar, the bottom navigation, a floating
  // button) sits over it.
  const covered = await page.evaluate(() => {
    const found: string[] = [];
    const describe = (node: Element) => `${node.tagName.toLowerCase()}.${node.getAttribute("class") ?? ""}`;
    for (const control of Array.from(document.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea"))) {
      // A visually hidden field (the CSV drop zone's file input) is used through its label:
      // the label is what must not be covered.
      const hiddenLabel = control.classList.contains("visually-hidden") ? (control as HTMLInputElement).labels?.[0] : undefined;
      const el: HTMLElement = hiddenLabel ?? control;
      if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === "hidden") continue;
      el.scrollIntoView({ block: "nearest", inline: "nearest" });
      // A link that wraps onto two lines is judged by its first line: the centre of its
      // bounding box can fall between the lines.
      const box = el.getClientRects()[0];
      if (box.width === 0 || box.height === 0) continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) continue;
      const top = document.elementFromPoint(x, y);
      // Its own content, or its own label (a styled checkbox), is not "covering" it.
      const labels = Array.from((el as HTMLInputElement).labels || []);
      // A notice (a toast: a badge earned, a mention elsewhere) lies over the page for its ten
      // seconds on purpose, and leads where it says: not a layout that covers.
      if (top?.closest(".notices")) continue;
      if (top && top !== el && !el.contains(top) && !labels.some((l) => l.contains(top))) {
        const name = (el.textContent || el.getAttribute("aria-label") || el.getAttribute("name") || el.id).trim();
        found.push(`${describe(el)} "${name}" under ${describe(top)} in ${top.parentElement ? describe(top.parentElement) : "?"}`);
      }
    }
    window.scrollTo(0, 0);
    return found;
  });
  expect(covered, `${shot}: covered controls`).toEqual([]);

  await noSeriousAxe(page, shot);
  await saveScreenshot(page, shot);
}

/** axe finds nothing serious or critical on the page as it is now. */
async function noSeriousAxe(page: Page, shot: string) {
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  expect(serious, `${shot}: axe`).toEqual([]);
}

/** At the narrowest phone the app supports, the page is no wider than the screen. */
async function noSidewaysAt360(page: Page, shot: string) {
  const size = page.viewportSize();
  if (!size || size.width > 400) return;
  await page.setViewportSize({ width: 360, height: size.height });
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways, `${shot} at 360px: the page scrolls sideways by ${sideways}px`).toBeLessThanOrEqual(0);
  await page.setViewportSize(size);
}

async function contextFor(browser: Browser, viewport: (typeof viewports)[number], scheme: (typeof schemes)[number]) {
  return browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.isMobile,
    hasTouch: viewport.isMobile,
    colorScheme: scheme,
  });
}

/** Opens a page, waits for what shows it is ready and for data loaded after hydration
 * (quotes, charts, lists), then looks at it. */
async function lookAtPage(page: Page, path: string, ready: Locator, shot: string) {
  await openHydrated(page, path);
  await expect(ready.first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  await lookAt(page, `look-${shot}`);
  await noSidewaysAt360(page, shot);
}

/** Signs up a new person in this page's context. */
async function signUp(page: Page, username: string, displayName: string) {
  const signedUp = await page.request.post("/api/session/sign_up", {
    form: { email: `${username}@example.com`, username, display_name: displayName, password: "correct horse battery" },
  });
  expect(signedUp.status(), await signedUp.text()).toBe(200);
}

/** Creates a community through its form and posts a message in its #general: returns its slug. */
async function communityWithAMessage(page: Page, name: string) {
  await openHydrated(page, "/communities");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create community" }).click();
  await expect(page.getByRole("heading", { name: "#general" })).toBeVisible();
  const slug = new URL(page.url()).pathname.split("/")[2];
  const box = page.getByRole("textbox", { name: /^Message #/ });
  await box.fill("Watching $AAPL into earnings — **margin of safety** first. 🚀📈");
  await box.press("Enter");
  await expect(page.getByRole("log", { name: "Messages" }).getByText("margin of safety")).toBeVisible();
  return slug;
}

/** Holdings with long figures, so the portfolio's tables are looked at full. */
async function addHoldings(page: Page) {
  for (const [symbol, shares, price] of [["AAPL", "1250.5", "187.25"], ["MSFT", "3", "402.10"]]) {
    const added = await page.request.post("/api/portfolio/add", {
      data: { symbol, shares, averagePrice: price, purchaseDate: "2024-01-02" },
    });
    expect(added.status(), await added.text()).toBe(200);
  }
}

for (const viewport of viewports) {
  for (const scheme of schemes) {
    test(`account pages at ${viewport.width}px, ${scheme}`, async ({ browser }) => {
      test.setTimeout(240_000);
      const context = await contextFor(browser, viewport, scheme);
      const page = await context.newPage();
      for (const [path, name] of [
        ["/", "landing"],
        ["/signin", "sign-in"],
        ["/signup", "sign-up"],
        ["/forgot-password", "forgot-password"],
        ["/reset-password?token=not-a-real-token", "reset-password"],
      ] as const) {
        await openHydrated(page, path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await lookAt(page, `look-${name}-${viewport.name}-${scheme}`);
        await noSidewaysAt360(page, name);
      }
      // The API reference: a plain server page, no hydration to wait for.
      await page.goto("/api/docs");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await lookAt(page, `look-api-docs-${viewport.name}-${scheme}`);
      await noSidewaysAt360(page, "api-docs");

      // Signed in: Settings with its security section, then two-factor set-up under way.
      const username = `look_${viewport.name}_${scheme}_${unique}`;
      await signUp(page, username, "Lee Look");
      await openHydrated(page, "/settings");
      await expect(page.getByLabel("Display name")).toHaveValue("Lee Look");
      await lookAt(page, `look-settings-${viewport.name}-${scheme}`);
      await noSidewaysAt360(page, "settings");
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

// Three tests a variant, so that each stays well inside its time on a busy machine: a channel
// full of what people put in one (files, a poll, an event, a shared card), the community's
// pages, and the markets and one's own pages.
for (const viewport of viewports) {
  for (const scheme of schemes) {
    test(`a channel's content at ${viewport.width}px, ${scheme}`, async ({ browser }) => {
      test.setTimeout(240_000);
      const context = await contextFor(browser, viewport, scheme);
      const page = await context.newPage();
      await signUp(page, `chan_${viewport.name}_${scheme}_${unique}`, "Sam Section");
      // A community of one's own with a message in it, so the channel shows real content.
      const slug = await communityWithAMessage(page, `Look ${viewport.name} ${scheme} ${unique}`);
      const box = page.getByRole("textbox", { name: /^Message #/ });
      // The emoji are drawn by the shipped colour font, not left to the system (boxes here).
      // Painted, in colour: a font can load and still draw nothing (an SVG-in-OpenType emoji
      // font is blank in Chromium), so the pixels are counted.
      const coloured = await page.evaluate(async () => {
        await document.fonts.load('32px "Twemoji"', "🚀");
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 48;
        const ctx = canvas.getContext("2d")!;
        ctx.font = '32px "Twemoji"';
        ctx.textBaseline = "top";
        ctx.fillText("🚀", 4, 4);
        const { data } = ctx.getImageData(0, 0, 48, 48);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
          if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
        }
        return n;
      });
      expect(coloured, "🚀 drawn in colour by the shipped emoji font").toBeGreaterThan(50);
      // Files in a message, and one waiting in the tray: looked at with the rest.
      const picker = page.getByLabel("Attach files");
      const chart = Buffer.from(
        await page.evaluate(() => {
          const canvas = document.createElement("canvas");
          canvas.width = 900;
          canvas.height = 500;
          const g = canvas.getContext("2d")!;
          g.fillStyle = "#0e7490";
          g.fillRect(0, 0, 900, 500);
          return canvas.toDataURL("image/png").split(",")[1];
        }),
        "base64",
      );
      await picker.setInputFiles([
        { name: "aapl-earnings-chart.png", mimeType: "image/png", buffer: chart },
        { name: "q3-results-with-a-rather-long-file-name.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\n%%EOF\n") },
      ]);
      await expect(page.getByRole("list", { name: "Files to send" }).getByText("Ready")).toHaveCount(2);
      await box.fill("Charts for tomorrow");
      await box.press("Enter");
      await expect(page.getByRole("button", { name: "Open image aapl-earnings-chart.png" })).toBeVisible();
      await picker.setInputFiles([{ name: "draft-notes.txt", mimeType: "text/plain", buffer: Buffer.from("draft") }]);
      await expect(page.getByRole("list", { name: "Files to send" }).getByText("Ready")).toHaveCount(1);
      // A poll, with a long answer: its form checked by axe while open, its result looked at.
      await page.getByRole("button", { name: "Ask a poll" }).click();
      const pollForm = page.getByRole("form", { name: "Ask a poll" });
      await pollForm.getByLabel("Question").fill("Where does $AAPL close on Friday, after the earnings call?");
      await pollForm.getByRole("textbox", { name: "Answer 1" }).fill("Higher than today's close by more than five percent, on the guidance");
      await pollForm.getByRole("textbox", { name: "Answer 2" }).fill("Lower");
      await noSeriousAxe(page, `look-poll-form-${viewport.name}-${scheme}`);
      await pollForm.getByRole("button", { name: "Ask", exact: true }).click();
      const poll = page.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" });
      await poll.getByRole("button", { name: "Vote", exact: true }).click();
      await poll.getByRole("button", { name: "Lower" }).click();
      await expect(poll).toContainText("1 vote");
      // An event, in the organiser's zone: its form checked by axe while open, its card looked at.
      await page.getByRole("button", { name: "Plan an event" }).click();
      const eventForm = page.getByRole("form", { name: "Plan an event" });
      await eventForm.getByLabel("Title").fill("$AAPL earnings call and the guidance that follows it");
      await eventForm.getByLabel("Starts").fill(`${new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)}T16:30`);
      await eventForm.getByLabel("Time zone of these times").fill("America/New_York");
      await noSeriousAxe(page, `look-event-form-${viewport.name}-${scheme}`);
      await eventForm.getByRole("button", { name: "Plan it" }).click();
      const planned = page.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Event" });
      await planned.getByRole("button", { name: "Going", exact: true }).click();
      await expect(planned).toContainText("1 going");

      // The whole portfolio shared as a card, with amounts: its form checked by axe while open.
      await addHoldings(page);
      await page.getByRole("button", { name: "Share a portfolio" }).click();
      const shareForm = page.getByRole("form", { name: "Share a portfolio" });
      await expect(shareForm.getByLabel("What to share")).toBeVisible();
      await shareForm.getByLabel("Percentages only (hide amounts)").uncheck();
      await noSeriousAxe(page, `look-share-form-${viewport.name}-${scheme}`);
      await shareForm.getByRole("button", { name: "Share" }).click();
      const shared = page.getByRole("log", { name: "Messages" }).getByRole("region", { name: "Shared portfolio" });
      await expect(shared.getByTestId("card-value")).toContainText("USD");
      await lookAt(page, `look-channel-${viewport.name}-${scheme}`);
      await noSidewaysAt360(page, "channel");
      // The lightbox covers the page on purpose: checked by axe and looked at, not for covering.
      await page.getByRole("button", { name: "Open image aapl-earnings-chart.png" }).click();
      const lightbox = page.getByRole("dialog", { name: "aapl-earnings-chart.png" });
      await expect(lightbox.getByRole("button", { name: "Close" })).toBeFocused();
      await noSeriousAxe(page, `look-lightbox-${viewport.name}-${scheme}`);
      await saveScreenshot(page, `look-lightbox-${viewport.name}-${scheme}`, false);
      await page.keyboard.press("Escape");
      await expect(lightbox).toHaveCount(0);
      if (viewport.isMobile) {
        // A phone: a message's actions wait behind "…", the member list behind "Members".
        const message = page.getByRole("log", { name: "Messages" }).getByRole("article").first();
        await expect(message.getByRole("button", { name: "Reply" })).toBeHidden();
        await message.getByRole("button", { name: "Message actions" }).click();
        await expect(message.getByRole("button", { name: "Reply" })).toBeVisible();
        await page.getByRole("button", { name: "Members", exact: true }).click();
        const members = page.getByRole("complementary", { name: "Members" });
        await expect(members.getByText("Sam Section")).toBeVisible();
        // A sheet over the chat covers it on purpose: looked at and checked by axe, not for covering.
        await noSeriousAxe(page, `look-channel-members-${viewport.name}-${scheme}`);
        await saveScreenshot(page, `look-channel-members-${viewport.name}-${scheme}`, false);
        await members.getByRole("button", { name: "Close the member list" }).click();
        await expect(members).toBeHidden();
      }

      // The community's calendar, with the event planned above.
      await lookAtPage(page, `/events/${slug}`, page.getByRole("heading", { level: 1 }), `events-${viewport.name}-${scheme}`);
      await context.close();
    });

    test(`community pages at ${viewport.width}px, ${scheme}`, async ({ browser }) => {
      // Eight pages, each scrolled through control by control and checked by axe.
      test.setTimeout(240_000);
      const context = await contextFor(browser, viewport, scheme);
      const page = await context.newPage();
      const username = `sect_${viewport.name}_${scheme}_${unique}`;
      await signUp(page, username, "Sam Section");
      const slug = await communityWithAMessage(page, `Pages ${viewport.name} ${scheme} ${unique}`);
      // Home shows the portfolio's glance.
      await addHoldings(page);

      // An invitation to the community, as the person it is sent to opens it.
      const invite = await page.request.post("/api/communities/invites/create", { data: { slug } });
      expect(invite.status(), await invite.text()).toBe(200);
      const code = (await invite.json()).code;

      // A direct conversation with someone, with a message in it.
      const friend = `dee_${viewport.name}_${scheme}_${unique}`;
      const friendContext = await browser.newContext();
      const friendUp = await friendContext.request.post("/api/session/sign_up", {
        form: { email: `${friend}@example.com`, username: friend, display_name: "Dee Direct", password: "correct horse battery" },
      });
      expect(friendUp.status(), await friendUp.text()).toBe(200);
      await friendContext.close();
      const started = await page.request.post("/api/messages/start", { data: { with: friend } });
      expect(started.status(), await started.text()).toBe(200);
      const conversation = (await started.json()).slug;
      await openHydrated(page, `/messages/${conversation}`);
      const dmBox = page.getByRole("textbox", { name: "Message Dee Direct" });
      await dmBox.fill("Are you in on the **AAPL** call tonight?");
      await dmBox.press("Enter");
      await expect(page.getByRole("log", { name: "Messages" }).getByText("AAPL call tonight")).toBeVisible();

      // A price-alert bot installed from the marketplace: its form checked by axe while open.
      await openHydrated(page, `/manage/${slug}`);
      const integrations = page.getByRole("region", { name: "Integrations" });
      const alertCard = integrations.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Price-alert bot" }) });
      await alertCard.getByRole("button", { name: "Install" }).click();
      const alertForm = integrations.getByRole("form", { name: "Install Price-alert bot" });
      await alertForm.getByLabel("Name").fill("Alerts");
      await alertForm.getByLabel("Symbols").fill("aapl, msft");
      await alertForm.getByLabel("Speaks when the price").selectOption("below");
      await alertForm.getByLabel("Number").fill("150.5");
      await noSeriousAxe(page, `look-integration-form-${viewport.name}-${scheme}`);
      await alertForm.getByRole("button", { name: "Install" }).click();
      await expect(integrations.getByText("$AAPL, $MSFT · is at or below 150.50")).toBeVisible();

      // A voice channel, looked at with its call's controls.
      const voice = await page.request.post("/api/communities/channels/create", { data: { slug, name: "floor", kind: "voice" } });
      expect(voice.status(), await voice.text()).toBe(200);

      for (const [path, name, ready] of [
        ["/", "home", page.getByRole("heading", { level: 1 })],
        [`/c/${slug}/floor`, "voice", page.getByRole("button", { name: "Join the call" })],
        ["/messages", "messages", page.getByRole("heading", { level: 1 })],
        [`/messages/${conversation}`, "conversation", page.getByRole("heading", { level: 1 })],
        [`/invite/${code}`, "invite", page.getByRole("heading", { level: 1 })],
        ["/communities", "communities", page.getByRole("heading", { level: 1 })],
        [`/manage/${slug}`, "manage", page.getByRole("heading", { level: 1 })],
        [`/analytics/${slug}`, "analytics", page.getByRole("heading", { level: 1 })],
      ] as const) {
        await lookAtPage(page, path, ready, `${name}-${viewport.name}-${scheme}`);
      }
      await context.close();
    });

    test(`market and personal pages at ${viewport.width}px, ${scheme}`, async ({ browser }) => {
      // Seven pages, each scrolled through control by control and checked by axe.
      test.setTimeout(240_000);
      const context = await contextFor(browser, viewport, scheme);
      const page = await context.newPage();
      const username = `mine_${viewport.name}_${scheme}_${unique}`;
      await signUp(page, username, "Sam Section");
      // A message to find, holdings with long figures.
      await communityWithAMessage(page, `Mine ${viewport.name} ${scheme} ${unique}`);
      await addHoldings(page);
      for (const [path, name, ready] of [
        ["/markets", "markets", page.getByRole("heading", { level: 1 })],
        ["/markets/AAPL.US", "stock", page.getByRole("heading", { level: 1 })],
        ["/portfolio", "portfolio", page.getByRole("heading", { level: 1 })],
        ["/assistant", "assistant", page.getByRole("heading", { level: 1 })],
        [`/u/${username}`, "profile", page.getByRole("heading", { level: 1 })],
        ["/search?q=margin%20safety", "search", page.locator(".search-hit mark")],
        // No word of the message, the same meaning in Spanish: found by meaning only.
        [
          "/search?q=margen%20de%20seguridad%20antes%20de%20los%20resultados",
          "search-similar",
          page.locator(".search-similar .search-hit"),
        ],
      ] as const) {
        await lookAtPage(page, path, ready, `${name}-${viewport.name}-${scheme}`);
      }
      await context.close();
    });
  }
}
