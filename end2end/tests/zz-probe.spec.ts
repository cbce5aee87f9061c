import { expect, test } from "@playwright/test";
import { openHydrated, person } from "./helpers";

test("probe", async ({ browser }) => {
  const u = Date.now().toString(36);
  const ana = await person(browser, `pa_${u}`, "Pro Ana");
  const bo = await person(browser, `pb_${u}`, "Pro Bo");
  for (const [who, p] of [["ana", ana], ["bo", bo]] as const) {
    p.on("console", (m) => console.log(who, "CONSOLE", m.type(), m.text().slice(0, 300)));
    p.on("pageerror", (e) => console.log(who, "PAGEERROR", e.message.slice(0, 300)));
  }
  await openHydrated(ana, "/communities");
  await ana.getByLabel(/^(Name|Nombre)$/).fill(`P ${u}`);
  await ana.getByRole("button", { name: /Create community/ }).click();
  await expect(ana.getByRole("heading", { name: "#general" })).toBeVisible();
  console.log("ANA LIVE", await ana.getByText("Live", { exact: true }).count());
  const url = ana.url();
  await openHydrated(bo, "/communities");
  const card = bo.getByRole("listitem").filter({ hasText: `P ${u}` });
  await card.getByRole("button", { name: "Join" }).click();
  await expect(card.getByRole("link", { name: "Open" })).toBeVisible();
  console.log("JOINED");
  await openHydrated(bo, url);
  await bo.waitForTimeout(4000);
  console.log("BO LIVE", await bo.getByText("Live", { exact: true }).count(), "ANA LIVE", await ana.getByText("Live", { exact: true }).count());
});
