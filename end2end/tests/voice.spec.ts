import { Page } from "@playwright/test";
import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** The state of the first remote sound this page plays: "live/false" once its packets flow. */
async function heard(page: Page): Promise<string> {
  return page.evaluate(() => {
    const audio = document.querySelector("audio[data-peer]") as HTMLAudioElement | null;
    const track = (audio?.srcObject as MediaStream | null)?.getAudioTracks()[0];
    return track ? `${track.readyState}/${track.muted}` : "none";
  });
}

test.describe("voice channels", () => {
  test("two people on a call each receive the other's sound, see who speaks and mutes, move between channels on it, and leave", async ({ browser }) => {
    const ana = await person(browser, `vana_${unique}`, "Ana Lima");
    const bo = await person(browser, `vbo_${unique}`, "Bo Chen");
    const url = await shareCommunity(ana, bo, `Voice ${unique}`);
    const slug = new URL(url).pathname.split("/")[2];

    // Ana makes a voice channel on the manage page.
    await openHydrated(ana, `/manage/${slug}`);
    await ana.getByLabel("Channel name", { exact: true }).fill("trading-floor");
    await ana.getByLabel("Kind").selectOption("voice");
    await ana.getByRole("button", { name: "Create channel" }).click();
    await expect(ana.getByRole("textbox", { name: "Channel name — #trading-floor" })).toBeVisible();

    // Both open it; Ana joins, and Bo sees her on the call before he joins (in the room and
    // under the channel's name in the sidebar).
    await openHydrated(ana, `/c/${slug}/trading-floor`);
    await openHydrated(bo, `/c/${slug}/trading-floor`);
    await expect(ana.getByRole("heading", { name: "trading-floor", level: 1 })).toBeVisible();
    await ana.getByRole("button", { name: "Join the call" }).click();
    await expect(ana.getByRole("status")).toContainText("You are on the call.");
    await expect(bo.locator(".voice-person")).toHaveCount(1);
    await expect(bo.locator(".call-people")).toContainText("Ana Lima");

    // Bo joins: each browser links to the other and receives its sound (the fake microphone's
    // tone), the track live and its packets arriving.
    await bo.getByRole("button", { name: "Join the call" }).click();
    for (const page of [ana, bo]) {
      await expect(page.locator(".voice-person")).toHaveCount(2);
      await expect(page.locator("audio[data-peer][data-link=connected]")).toHaveCount(1, { timeout: 20_000 });
      await expect.poll(() => heard(page), { timeout: 20_000 }).toBe("live/false");
    }
    // The tone makes each of them show as speaking to the other.
    await expect(ana.locator(".voice-person.speaking").filter({ hasText: "Bo Chen" })).toHaveCount(1, { timeout: 20_000 });
    await expect(bo.locator(".voice-person.speaking").filter({ hasText: "Ana Lima" })).toHaveCount(1, { timeout: 20_000 });
    await saveScreenshot(ana, "voice-call", false);

    // Bo mutes himself; Ana, the owner, mutes him for everyone, then lets him speak.
    await bo.getByRole("button", { name: "Mute", exact: true }).click();
    const boOnAnas = ana.locator(".voice-person").filter({ hasText: "Bo Chen" });
    await expect(boOnAnas).toContainText("muted");
    await ana.getByRole("button", { name: "Mute Bo Chen for everyone" }).click();
    await expect(bo.locator(".voice-person").filter({ hasText: "Bo Chen" })).toContainText("muted by a moderator");
    await ana.getByRole("button", { name: "Let Bo Chen speak" }).click();
    await expect(bo.locator(".voice-person").filter({ hasText: "Bo Chen" })).not.toContainText("moderator");

    // Bo reads #general: he stays on the call — the sidebar says where, with Mute and Leave —
    // and the sound keeps flowing; the bar takes him back.
    await bo.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "general", exact: true }).click();
    await expect(bo.getByRole("heading", { name: "#general" })).toBeVisible();
    const bar = bo.getByRole("group", { name: "Your call" });
    await expect(bar).toContainText("On the call in trading-floor");
    await expect(ana.locator(".voice-person")).toHaveCount(2);
    await expect.poll(() => heard(bo)).toBe("live/false");
    await expect.poll(() => heard(ana)).toBe("live/false");
    await saveScreenshot(bo, "voice-call-bar", false);
    await bar.getByRole("link").click();
    await expect(bo.getByRole("heading", { name: "trading-floor", level: 1 })).toBeVisible();
    await expect(bo.getByRole("status")).toContainText("You are on the call.");
    await expect(bar).toHaveCount(0);

    // Bo leaves: Ana's call is hers alone, her link to him closed.
    await bo.getByRole("button", { name: "Leave", exact: true }).click();
    await expect(ana.locator(".voice-person")).toHaveCount(1);
    await expect(ana.locator("audio[data-peer]")).toHaveCount(0);
    await expect(bo.getByRole("button", { name: "Join the call" })).toBeVisible();

    // Ana leaves the community's pages for the markets: that ends her call.
    await ana.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Markets" }).click();
    await expect(bo.locator(".voice-person")).toHaveCount(0);
    await expect(bo.locator(".call-people li")).toHaveCount(0);
  });
});
