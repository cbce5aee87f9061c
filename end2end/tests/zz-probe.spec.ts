import { test } from "@playwright/test";
import { openHydrated, person } from "./helpers";

test("probe", async ({ browser }) => {
  const guest = await (await browser.newContext()).newPage();
  const bo = await person(browser, `probe_${Date.now().toString(36)}`, "Pro Be");
  for (const [who, page] of [["guest", guest], ["bo", bo]] as const) {
    for (const url of (who === "guest" ? [] : ["/communities", "/portfolio", "/settings", "/markets/AAPL", "/assistant", "/c/bullpen/general", "/markets"])) {
      const errors: string[] = [];
      const onConsole = (m: any) => { if (m.type() === "error") errors.push(m.text().split("\n")[0].slice(0, 160)); };
      const onError = (e: Error) => errors.push("PAGEERROR " + e.message.slice(0, 100));
      page.on("console", onConsole);
      page.on("pageerror", onError);
      await openHydrated(page, url);
      await page.waitForTimeout(2500);
      const fab = await page.getByRole("button", { name: "Ask the assistant" }).count();
      console.log(who, url, "fab", fab, errors.join(" | "));
      page.off("console", onConsole);
      page.off("pageerror", onError);
    }
  }
});
