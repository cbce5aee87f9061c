import { expect, openHydrated, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A PNG of the given size, drawn in the page (no file on disk needed). */
async function pngOf(page: import("@playwright/test").Page, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#1d4ed8";
      g.fillRect(0, 0, w, h);
      g.fillStyle = "#f59e0b";
      g.fillRect(w / 4, h / 4, w / 2, h / 2);
      return canvas.toDataURL("image/png").split(",")[1];
    },
    [width, height],
  );
  return Buffer.from(base64, "base64");
}

test("files go out with a message: an image shows inline and opens large, a file downloads, too large is refused before uploading", async ({ browser }) => {
  const ana = await person(browser, `fa_${unique}`, "Fay Author");
  const bo = await person(browser, `fr_${unique}`, "Fred Reader");
  await shareCommunity(ana, bo, `Files ${unique}`);

  const chart = await pngOf(ana, 1200, 700);
  const picker = ana.getByLabel("Attach files");
  await picker.setInputFiles([
    { name: "chart.png", mimeType: "image/png", buffer: chart },
    { name: "notes.csv", mimeType: "text/csv", buffer: Buffer.from("date,close\n2026-11-25,201.5\n") },
  ]);
  const tray = ana.getByRole("list", { name: "Files to send" });
  await expect(tray.getByRole("listitem")).toHaveCount(2);
  await expect(tray.getByText("Ready")).toHaveCount(2);

  // Too large: refused in the tray with the limit, and never uploaded.
  await picker.setInputFiles([{ name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(17 * 1024 * 1024, 1) }]);
  const huge = tray.getByRole("listitem").filter({ hasText: "huge.bin" });
  await expect(huge.getByRole("alert")).toContainText("Files may be at most 16 MB; this one is 17 MB.");
  // It must be taken out before sending.
  await ana.getByRole("textbox", { name: /^Message #/ }).fill("Q3 chart and the numbers");
  await ana.getByRole("button", { name: "Send" }).click();
  await expect(ana.locator(".composer").getByText("Remove the files that could not be uploaded")).toBeVisible();
  await huge.getByRole("button", { name: "Remove huge.bin" }).click();
  await saveScreenshot(ana, "files-tray", false);
  await ana.getByRole("button", { name: "Send" }).click();
  await expect(tray).toHaveCount(0);

  // The reader sees the image inline and the file as a card, live.
  const message = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Q3 chart" });
  const image = message.getByRole("button", { name: "Open image chart.png" });
  await expect(image).toBeVisible();
  await expect(image.locator("img")).toHaveJSProperty("complete", true);
  expect(await image.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  const card = message.getByRole("link", { name: /notes\.csv/ });
  await expect(card).toContainText("text/plain");
  await expect(card).toHaveAttribute("download", "notes.csv");
  await saveScreenshot(bo, "files-message", false);

  // The lightbox shows the image whole; Escape closes it and focus is not lost.
  await image.click();
  const lightbox = bo.getByRole("dialog", { name: "chart.png" });
  await expect(lightbox.locator("img")).toBeVisible();
  expect(await lightbox.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
  await saveScreenshot(bo, "files-lightbox", false);
  await bo.keyboard.press("Escape");
  await expect(lightbox).toHaveCount(0);

  // The file downloads under its name.
  const download = bo.waitForEvent("download");
  await card.click();
  expect((await download).suggestedFilename()).toBe("notes.csv");

  // Deleted, the files go with the message.
  const src = await image.locator("img").getAttribute("src");
  const own = ana.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Q3 chart" });
  await own.hover();
  await own.getByRole("button", { name: "Delete" }).click();
  await own.getByRole("button", { name: "Really delete?" }).click();
  await expect(message).toHaveCount(0);
  const gone = await bo.request.get(src!);
  expect(gone.status()).toBe(404);
});

test("a person's picture and a community's icon show wherever they do", async ({ browser }) => {
  const ana = await person(browser, `pa_${unique}`, "Pia Picture");
  const bo = await person(browser, `pb_${unique}`, "Ben Beholder");
  const url = await shareCommunity(ana, bo, `Pictures ${unique}`);
  const slug = new URL(url).pathname.split("/")[2];

  await openHydrated(ana, "/settings");
  await ana.getByLabel("Change picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: await pngOf(ana, 800, 400) });
  const large = ana.locator(".settings-section .avatar-large img");
  await expect(large).toBeVisible();
  expect(await large.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
  // The account menu shows it too.
  await expect(ana.locator(".avatar-button .avatar img")).toBeVisible();
  // Not an image: refused with a sentence, the picture stays.
  await ana.getByLabel("Change picture").setInputFiles({ name: "cv.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\n") });
  await expect(ana.getByRole("alert").filter({ hasText: "PNG, JPEG, GIF or WebP" })).toBeVisible();
  await expect(large).toBeVisible();

  // Beside her messages, for the reader.
  await openHydrated(ana, url);
  const box = ana.getByRole("textbox", { name: /^Message #/ });
  await box.fill("new picture, who dis");
  await box.press("Enter");
  const line = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "who dis" });
  await expect(line.locator(".avatar img")).toBeVisible();

  // The community's icon, from the Manage page, in the community list.
  await openHydrated(ana, `/manage/${slug}`);
  await ana.getByLabel("Change icon").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: await pngOf(ana, 300, 300) });
  await expect(ana.locator(".picture-field .community-icon img")).toBeVisible();
  await openHydrated(bo, "/communities");
  await expect(bo.getByRole("listitem").filter({ hasText: `Pictures ${unique}` }).locator(".community-icon img")).toBeVisible();
  await saveScreenshot(bo, "community-icons", false);
});

test("a voice message is recorded, sent, and plays inline with its length and waveform", async ({ browser }) => {
  const ana = await person(browser, `va_${unique}`, "Val Voice");
  const bo = await person(browser, `vb_${unique}`, "Vic Listener");
  await shareCommunity(ana, bo, `Voices ${unique}`);

  await ana.getByRole("button", { name: "Record a voice message" }).click();
  const bar = ana.getByRole("status").filter({ hasText: "Recording" });
  await expect(bar).toContainText("Recording 0:0");
  await ana.waitForTimeout(1500);
  await saveScreenshot(ana, "voice-recording", false);
  await bar.getByRole("button", { name: "Stop and attach" }).click();
  const tray = ana.getByRole("list", { name: "Files to send" });
  // Its length, at least the second waited (a busy machine stops the recorder later).
  await expect(tray).toContainText(/Voice message, 0:0[1-9]/);
  await expect(tray.getByText("Ready")).toBeVisible();
  await ana.getByRole("button", { name: "Send" }).click();

  const line = bo.getByRole("log", { name: "Messages" }).getByRole("article").filter({ has: bo.locator(".voice-message") });
  // As long as the tray said (a busy machine stops the recorder later).
  const player = line.getByLabel(/Voice message, 0:0[1-9]/);
  await expect(player).toBeVisible();
  // The message has a name a screen reader can say: who, and what it is (not "Ana Lima: ").
  await expect(line).toHaveAttribute("aria-label", /^.+: Voice message, 0:0[1-9]$/);
  await expect(line.locator(".waveform rect")).toHaveCount(48);
  // The browser can read it: its length is known once its metadata loads.
  await expect.poll(async () => player.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThan(0);
  await saveScreenshot(bo, "voice-message", false);

  // Cancelled, nothing is attached.
  await ana.getByRole("button", { name: "Record a voice message" }).click();
  await ana.getByRole("status").filter({ hasText: "Recording" }).getByRole("button", { name: "Cancel" }).click();
  await expect(ana.getByRole("textbox", { name: /^Message #/ })).toBeVisible();
  await expect(ana.getByRole("list", { name: "Files to send" })).toHaveCount(0);
});
