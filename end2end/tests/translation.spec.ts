import { expect, test } from "@playwright/test";
import { openHydrated, person, saveScreenshot } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a Spanish message reaches an English reader in English and toggles to the original", async ({ browser }) => {
  const ana = await person(browser, `es_${unique}`, "Ana García", "es");
  const bob = await person(browser, `en_${unique}`, "Bob Reader", "en");
  const community = `Mercados ${unique}`;

  await openHydrated(ana, "/communities");
  await ana.getByLabel(/Nombre|Name/).fill(community);
  await ana.getByRole("button", { name: /Crear comunidad|Create community/ }).click();
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  const url = ana.url();
  await openHydrated(bob, "/communities");
  const card = bob.getByRole("listitem").filter({ hasText: community });
  await card.getByRole("button", { name: "Join" }).click();
  await expect(card.getByRole("link", { name: "Open" })).toBeVisible();
  await openHydrated(bob, url);
  await expect(bob.getByText("Live")).toBeVisible();

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
});
