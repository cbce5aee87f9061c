import { Page, WebSocketRoute } from "@playwright/test";
import { expect, openHydrated, person, saveScreenshot, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** Types and sends a message with Enter. */
async function say(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: /^Message #/ });
  await box.fill(text);
  await box.press("Enter");
}

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" });
}

test.describe("chat", () => {
  test("two people chat live: typing, presence, replies, reactions, pins, edits, deletes", async ({ browser }) => {
    const ana = await person(browser, `ana_${unique}`, "Ana Lima");
    const bo = await person(browser, `bo_${unique}`, "Bo Chen");
    const community = `Value ${unique}`;

    // Ana creates a community; Bo finds it under Discover and joins.
    await openHydrated(ana, "/communities");
    await ana.getByLabel("Name").fill(community);
    await ana.getByLabel("Description").fill("Margin of safety, every day.");
    await ana.getByRole("button", { name: "Create community" }).click();
    await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
    const url = ana.url();
    await expect(ana.getByText("Live")).toBeVisible();

    await openHydrated(bo, "/communities");
    const card = bo.getByRole("listitem").filter({ hasText: community });
    await card.getByRole("button", { name: "Join" }).click();
    await expect(card.getByRole("link", { name: "Open" })).toBeVisible();
    // Ana's page counts Bo in without a reload (with the stock bot, a member too).
    await expect(ana.locator(".community-head")).toContainText("3 members");
    await openHydrated(bo, url);
    await expect(bo.getByText("Live")).toBeVisible();

    // Presence: Ana sees Bo online.
    const anaMembers = ana.getByRole("complementary", { name: "Members" });
    await expect(anaMembers.getByRole("listitem").filter({ hasText: "Bo Chen" })).toContainText("online");

    // Typing shows on the other side.
    await bo.getByRole("textbox", { name: /^Message #/ }).pressSequentially("Hel");
    await expect(ana.getByText("Bo Chen is typing…")).toBeVisible();

    await say(bo, "Hello **Ana**, what do you think of $AAPL? <script>alert(1)</script>");
    const fromBo = messages(ana).getByRole("article").filter({ hasText: "what do you think of" });
    await expect(fromBo).toBeVisible();
    await expect(ana.getByText("Bo Chen is typing…")).toBeHidden();
    await expect(fromBo.locator("strong", { hasText: "Ana" })).toBeVisible();
    await expect(fromBo.getByRole("link", { name: "$AAPL" })).toHaveAttribute("href", "/markets/AAPL");
    // The markup arrived as text, not as an element.
    await expect(fromBo).toContainText("<script>alert(1)</script>");
    await expect(ana.locator(".message-body script")).toHaveCount(0);

    // Ana replies to it, quoting.
    await fromBo.hover();
    await fromBo.getByRole("button", { name: "Reply" }).click();
    await expect(ana.getByText("Replying to Bo Chen")).toBeVisible();
    await say(ana, `Cheap on a cash-flow basis, @bo_${unique} — and the buyback helps`);
    const reply = messages(bo).getByRole("article").filter({ hasText: "Cheap on a cash-flow basis" });
    await expect(reply.locator(".reply-quote")).toContainText("Bo Chen");
    await expect(reply.locator(".mention-me")).toBeVisible();
    // Bo is reading #general: no notice over what he sees (one elsewhere is in notifications.spec).

    // Bo reacts; Ana sees the count.
    await reply.hover();
    await reply.getByRole("button", { name: "React" }).click();
    await reply.getByRole("group", { name: "React" }).getByRole("button", { name: "🚀" }).click();
    const anaReply = messages(ana).getByRole("article").filter({ hasText: "Cheap on a cash-flow basis" });
    await expect(anaReply.getByRole("button", { name: /🚀 1/ })).toBeVisible();

    // Ana (the owner) pins it; Bo sees it in the pins panel.
    await anaReply.hover();
    await anaReply.getByRole("button", { name: "Pin", exact: true }).click();
    await expect(reply.getByText("Pinned")).toBeVisible();
    await bo.getByRole("button", { name: "Pins" }).click();
    await expect(bo.getByRole("complementary", { name: "Pinned messages" })).toContainText("Cheap on a cash-flow basis");
    await saveScreenshot(bo, "chat-desktop", false);

    // Bo edits his message, then deletes it.
    // By its accessible name ("author: text"): the body itself is swapped for the editor.
    const mine = messages(bo).getByRole("article", { name: /^Bo Chen: Hello/ });
    await mine.hover();
    await mine.getByRole("button", { name: "Edit" }).click();
    const editor = mine.getByRole("textbox", { name: "Edit message" });
    await editor.fill("Hello Ana, what do you think of $MSFT?");
    await editor.press("Enter");
    const edited = messages(ana).getByRole("article").filter({ hasText: "$MSFT" });
    await expect(edited.getByText("(edited)")).toBeVisible();
    await edited.hover();
    const boEdited = messages(bo).getByRole("article").filter({ hasText: "$MSFT" });
    await boEdited.hover();
    await boEdited.getByRole("button", { name: "Delete" }).click();
    await boEdited.getByRole("button", { name: "Really delete?" }).click();
    // Live, on Ana's screen: the message and the quote of it in the reply.
    await expect(messages(ana).getByText("Message deleted")).toHaveCount(2);
    await expect(messages(ana).getByText("$MSFT")).toHaveCount(0);
    await saveScreenshot(ana, "chat-owner-view", false);

    // A reload keeps the history (and the deletion).
    await openHydrated(ana, url);
    await expect(messages(ana).getByText("Cheap on a cash-flow basis")).toBeVisible();
    // The deleted message, and the quote of it in the reply.
    await expect(messages(ana).getByText("Message deleted")).toHaveCount(2);

    // Bo leaves: Ana sees him go offline (announced once the server has seen his socket close,
    // which a machine busy with the other tests' browsers may take a few seconds to do).
    await bo.close();
    await expect(anaMembers.getByRole("listitem").filter({ hasText: "Bo Chen" })).toContainText("offline", {
      timeout: 15_000,
    });
  });

  test("over the rate limit the sender sees the wait, and the message is not sent", async ({ browser }) => {
    const cy = await person(browser, `cy_${unique}`, "Cy Park");
    await openHydrated(cy, "/c/bullpen/random");
    await expect(cy.getByText("Live")).toBeVisible();
    for (let i = 1; i <= 10; i++) {
      await say(cy, `burst ${unique} ${i}`);
      await expect(messages(cy).getByRole("article").filter({ hasText: `burst ${unique} ${i}` }).first()).not.toHaveClass(/pending/);
    }
    await say(cy, `burst ${unique} 11`);
    const refused = messages(cy).locator(".message.failed");
    await expect(refused).toContainText(/You're sending messages too fast\. Try again in \d+ s\./);
    await saveScreenshot(cy, "chat-rate-limited", false);
    await cy.reload();
    await expect(messages(cy).getByText(`burst ${unique} 10`)).toBeVisible();
    await expect(messages(cy).getByText(`burst ${unique} 11`)).toHaveCount(0);
  });

  test("on a phone the channel list sits above the chat", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.request.post("/api/session/sign_up", {
      form: { email: `di_${unique}@example.com`, username: `di_${unique}`, display_name: "Di Ross", password: "correct horse battery" },
    });
    await openHydrated(page, "/c/bullpen/general");
    await expect(page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: /markets/ })).toBeVisible();
    await expect(page.getByRole("textbox", { name: /^Message #/ })).toBeVisible();
    await saveScreenshot(page, "chat-phone", false);
  });
  test("a message written while the connection is down waits, then goes out once", async ({ browser }) => {
    const ana = await person(browser, `off_${unique}`, "Ana Offline");
    // The socket runs through a route the test can cut: while "down", every reconnect is
    // refused, as when the network drops.
    let up = true;
    let live: WebSocketRoute | undefined;
    await ana.routeWebSocket(/\/api\/chat\/socket/, (ws) => {
      if (!up) return ws.close();
      live = ws;
      ws.connectToServer();
    });
    await openHydrated(ana, "/communities");
    await ana.getByLabel("Name").fill(`Offline ${unique}`);
    await ana.getByRole("button", { name: "Create community" }).click();
    await expect(ana.getByText("Live", { exact: true })).toBeVisible();

    up = false;
    await live!.close();
    await expect(ana.getByText("Reconnecting…")).toBeVisible();
    await say(ana, "written on the train");
    const waiting = messages(ana).locator("article.pending").filter({ hasText: "written on the train" });
    await expect(waiting).toContainText("Waiting for the connection");

    up = true;
    await expect(ana.getByText("Live", { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(messages(ana).locator("article.pending")).toHaveCount(0);
    await expect(messages(ana).getByRole("article").filter({ hasText: "written on the train" })).toHaveCount(1);
    // Stored once: a reload shows it once.
    await ana.reload();
    await expect(ana.locator("body[data-hydrated]")).toHaveCount(1);
    await expect(messages(ana).getByRole("article").filter({ hasText: "written on the train" })).toHaveCount(1);
  });
});
