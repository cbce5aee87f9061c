import { Locator, Page } from "@playwright/test";
import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

// What got in the way in a day of use (issue 46), at a phone's width and a desktop's: nothing
// covers a control, nothing is cut, and the chat helps to name people and find them.

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
// Letters only, for usernames a message names: digits beside letters read as leetspeak to the
// built-in moderation, which blurs the message (issue 47).
const lettered = unique.replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]);
const viewports = [
  { name: "phone", width: 390, height: 844, isMobile: true },
  { name: "desktop", width: 1280, height: 800, isMobile: false },
] as const;

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The element the pointer would hit at the middle of `control`: the control itself. */
async function reachable(control: Locator) {
  return control.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return hit !== null && (hit === element || element.contains(hit));
  });
}

/** Whether the text of `element` is wider than its box (cut, or spilling out of it). */
const cut = (element: Locator) => element.evaluate((e) => e.scrollWidth > e.clientWidth + 1);

async function newestInView(page: Page) {
  return page.getByRole("log", { name: "Messages" }).evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight < 4);
}

for (const viewport of viewports) {
  const device = { viewport: { width: viewport.width, height: viewport.height }, isMobile: viewport.isMobile, hasTouch: viewport.isMobile };

  test(`${viewport.name}: a notice covers no control of the chat; the title, the box and the lists keep their room`, async ({ browser }) => {
    const tag = `${viewport.name.slice(0, 2)}${unique}`;
    const anaName = `dua_${tag}`;
    const ana = await person(browser, anaName, "Ana Lima");
    const bo = await person(browser, `dub_${tag}`, "Bo Chen", "en", device);
    const url = await shareCommunity(ana, bo, `Daily ${tag}`);

    // Bo reads a first line, then Ana writes while he is away: he comes back to unread
    // messages and "Catch me up".
    const anaBox = ana.getByRole("textbox", { name: /^Message #/ });
    await anaBox.fill("Good morning, desk");
    await anaBox.press("Enter");
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("Good morning, desk");
    await openHydrated(bo, "/markets");
    for (const line of ["$AAPL opened at the high", "Watching the 200-day on $MSFT"]) {
      await anaBox.fill(line);
      await anaBox.press("Enter");
      await expect(ana.getByRole("log", { name: "Messages" })).toContainText(line);
    }
    await openHydrated(bo, url);
    await expect(bo.getByRole("button", { name: "Catch me up" })).toBeVisible();
    const title = bo.getByRole("heading", { name: "#general", level: 1 });
    expect(await cut(title), "the channel's title is cut").toBe(false);

    // The box has the width of the chat, its tools on the line below.
    const boBox = bo.getByRole("textbox", { name: /^Message #/ });
    const column = (await bo.locator(".channel").boundingBox())!;
    expect((await boBox.boundingBox())!.width).toBeGreaterThan(column.width * 0.8);

    // A direct message while Bo reads #general: its notice lies over none of the chat's controls.
    await openHydrated(ana, `/u/dub_${tag}`);
    await ana.getByRole("button", { name: "Message Bo Chen" }).click();
    await ana.getByRole("textbox", { name: "Message Bo Chen" }).fill("Lunch after the open?");
    await ana.getByRole("textbox", { name: "Message Bo Chen" }).press("Enter");
    const notice = bo.getByRole("link", { name: /Ana Lima wrote to you: Lunch after the open\?/ });
    await expect(notice).toBeVisible();
    const noticeBox = (await notice.boundingBox())!;
    const send = bo.getByRole("button", { name: "Send", exact: true });
    for (const control of [send, boBox, bo.getByRole("button", { name: "Catch me up" })]) {
      expect(overlaps(noticeBox, (await control.boundingBox())!), "the notice lies over a control").toBe(false);
      expect(await reachable(control)).toBe(true);
    }
    await saveScreenshot(bo, `daily-notice-${viewport.name}`, false);
    // It goes at its close button.
    await bo.getByRole("button", { name: "Dismiss" }).first().click();
    await expect(notice).toHaveCount(0);

    if (viewport.name === "desktop") {
      // The member list: names on one line, each button inside the column, nothing over it.
      const members = bo.getByRole("complementary", { name: "Members" });
      const list = (await members.boundingBox())!;
      for (const row of await members.getByRole("listitem").all()) {
        const name = row.getByRole("link").first();
        expect(await name.evaluate((a) => a.getClientRects().length), "a name wraps").toBe(1);
        for (const button of await row.getByRole("button").all()) {
          const box = (await button.boundingBox())!;
          expect(box.x + box.width, "a member's button is cut at the edge").toBeLessThanOrEqual(list.x + list.width);
          expect(await reachable(button)).toBe(true);
        }
      }
      await expect(bo.getByRole("button", { name: "Ask the assistant" })).toBeHidden();
    } else {
      // Every destination of the phone's navigation reads in full.
      const nav = bo.getByRole("navigation", { name: "Main navigation" });
      for (const label of await nav.locator(".nav-label").all()) {
        if (await label.isVisible()) expect(await cut(label), `${await label.textContent()} is cut`).toBe(false);
      }
    }
  });

  test(`${viewport.name}: @ suggests the channel's people, and a mention shows the person's name`, async ({ browser }) => {
    const tag = `${viewport.name.slice(0, 2)}${lettered}`;
    const anaName = `mna_${tag}`;
    const ana = await person(browser, anaName, "Ana Lima");
    const bo = await person(browser, `mnb_${tag}`, "Bo Chen", "en", device);
    await shareCommunity(ana, bo, `Mentions ${tag}`);

    const box = bo.getByRole("textbox", { name: /^Message #/ });
    await box.fill("Nice call ");
    await box.pressSequentially("@Li");
    const suggestions = bo.getByRole("listbox", { name: "People to mention" });
    await expect(suggestions.getByRole("option")).toHaveCount(1);
    await expect(suggestions.getByRole("option")).toContainText(`Ana Lima @${anaName}`);
    await expect(box).toHaveAttribute("aria-activedescendant", /.+/);
    await box.press("Enter");
    await expect(suggestions).toHaveCount(0);
    await expect(box).toHaveValue(`Nice call @${anaName} `);
    await box.pressSequentially("on $NVDA");
    await box.press("Enter");

    // Written as the username, shown as the name, on both sides.
    for (const page of [bo, ana]) {
      const line = page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Nice call" });
      await expect(line.getByRole("link", { name: "@Ana Lima" })).toHaveAttribute("href", `/u/${anaName}`);
    }
    // Escape closes the suggestions and leaves the text as typed.
    await box.pressSequentially("@B");
    await expect(suggestions).toContainText("Bo Chen");
    await box.press("Escape");
    await expect(suggestions).toHaveCount(0);
    await expect(box).toHaveValue("@B");
  });
}

test("a reopened channel whose newest message is a poll opens on it, with its day of closing; date fields are full size", async ({ browser }) => {
  const ana = await person(browser, `pla_${unique}`, "Ana Lima");
  const bo = await person(browser, `plb_${unique}`, "Bo Chen");
  const url = await shareCommunity(ana, bo, `Polls last ${unique}`);
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  // Eight lines and a poll: within the rate limit of ten a minute, more than the list shows.
  for (let n = 1; n <= 8; n++) {
    await box.fill(`Line ${n} of the morning notes on $SPY and the ten-year yield, with the levels to watch into the close`);
    await box.press("Enter");
  }
  await expect(ana.getByRole("log", { name: "Messages" })).toContainText("Line 8 of");
  await ana.getByRole("button", { name: "Ask a poll" }).click();
  const form = ana.getByRole("form", { name: "Ask a poll" });
  await form.getByLabel("Question").fill("Where does $SPY close today?");
  await form.getByRole("textbox", { name: "Answer 1" }).fill("Higher");
  await form.getByRole("textbox", { name: "Answer 2" }).fill("Lower");
  await form.getByLabel("Closes").selectOption("hour");
  await form.getByRole("button", { name: "Ask", exact: true }).click();
  const poll = ana.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" });
  // Within the hour, yet with its day: "Closes 04:37" alone reads as today when it may not be.
  await expect(poll.locator(".poll-summary")).toContainText(/Closes \w{3}, \w{3} \d{1,2}, \d\d:\d\d/);

  // The event form's date field is as tall as the text field above it (Chromium draws a date
  // field's inner parts a pixel or two taller).
  await ana.getByRole("button", { name: "Plan an event" }).click();
  const eventForm = ana.getByRole("form", { name: "Plan an event" });
  const title = (await eventForm.getByLabel("Title").boundingBox())!;
  const starts = (await eventForm.getByLabel("Starts").boundingBox())!;
  expect(Math.abs(starts.height - title.height), "the date field is smaller than the text field").toBeLessThanOrEqual(2);

  await openHydrated(bo, "/markets");
  await openHydrated(bo, url);
  await expect(bo.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Poll" })).toBeVisible();
  await expect.poll(() => newestInView(bo), { message: "the poll is the newest message, in view" }).toBe(true);
});

test("search: from: suggests people by name and finds their messages; a hit says when, readably", async ({ browser }) => {
  const anaName = `sfa_${unique}`;
  const ana = await person(browser, anaName, "Ana Quintero");
  const bo = await person(browser, `sfb_${unique}`, "Bo Chen");
  await shareCommunity(ana, bo, `Search from ${unique}`);
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  await box.fill(`Trimmed the $TSLA position ${unique}`);
  await box.press("Enter");
  await expect(bo.getByRole("log", { name: "Messages" })).toContainText("Trimmed the");

  await openHydrated(bo, "/search");
  const field = bo.getByRole("searchbox", { name: "Search messages, people and channels" });
  await field.pressSequentially("trimmed from:quint");
  const suggested = bo.getByRole("list", { name: "People named so" }).getByRole("button", { name: `Ana Quintero @${anaName}` });
  await suggested.click();
  await expect(field).toHaveValue(`trimmed from:${anaName} `);
  await expect(field).toBeFocused();
  // Part of a name is enough too.
  await field.fill("trimmed from:quint");
  await field.press("Enter");
  const hit = bo.getByRole("listitem").filter({ hasText: "Trimmed the" });
  await expect(hit).toContainText("Ana Quintero");
  await expect(hit.locator("time")).toHaveText(/^\w{3}, \w{3} \d{1,2}, \d\d:\d\d/);
  expect(await hit.textContent()).not.toMatch(/\d{4}-\d\d-\d\dT/);
});
