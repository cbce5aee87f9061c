import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a Spanish message reaches an English reader in English, toggles to the original, and catch me up summarises what he missed", async ({ browser }) => {
  const ana = await person(browser, `es_${unique}`, "Ana García", "es");
  const bob = await person(browser, `en_${unique}`, "Bob Reader", "en");
  const community = `Mercados ${unique}`;

  const url = await shareCommunity(ana, bob, community);

  const box = ana.getByRole("textbox", { name: /#general/ });
  await box.fill("Hola a todos, creo que $TSLA va a subir mucho hoy");
  await box.press("Enter");

  // Live: Bob reads it in English, told where it came from, and can see the original.
  const log = bob.getByRole("log", { name: "Messages" });
  const message = log.getByRole("article").filter({ hasText: "$TSLA" });
  await expect(message.locator(".message-body")).toContainText(/today/i);
  await expect(message).toContainText("Translated from Spanish");
  await saveScreenshot(bob, "translation-english-reader", false);
  await message.getByRole("button", { name: "Show original" }).click();
  await expect(message.locator(".message-body")).toHaveText("Hola a todos, creo que $TSLA va a subir mucho hoy");
  await message.getByRole("button", { name: "Show translation" }).click();
  await expect(message.locator(".message-body")).toContainText(/today/i);

  // Bob steps away; Ana writes two more. Back in the channel, "Catch me up" summarises them in
  // Spanish, as written, and in English on request.
  await openHydrated(bob, "/communities");
  for (const line of [
    "Vendí la mitad de mis acciones de $TSLA esta mañana.",
    "Los resultados de $TSLA salen el jueves, cuidado con la volatilidad.",
  ]) {
    await box.fill(line);
    await box.press("Enter");
  }
  await expect(ana.getByRole("log").getByRole("article").filter({ hasText: "jueves" })).toBeVisible();
  await openHydrated(bob, url);
  await bob.getByRole("button", { name: "Catch me up" }).click();
  const panel = bob.getByRole("complementary", { name: "While you were away" });
  await expect(panel).toContainText("2 unread messages from Ana García");
  await expect(panel).toContainText("jueves");
  await panel.getByLabel("Also in my language").check();
  await expect(panel.locator(".catch-up-translated").first()).toContainText(/Thursday|TSLA/);
  await panel.screenshot({ path: "artifacts/catch-up.png" });
  await panel.getByRole("button", { name: "Go to message" }).last().click();
  // The jump lands on the Spanish message (shown translated for Bob).
  await expect(log.locator("article.message.jumped-to")).toHaveAttribute("aria-label", /jueves/);
});
