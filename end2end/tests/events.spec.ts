import { expect, person, saveScreenshot, shareCommunity, test } from "./helpers";

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** `YYYY-MM-DDTHH:MM` three days from now, as a datetime-local field takes it. */
function inThreeDays(): string {
  const at = new Date(Date.now() + 3 * 24 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T16:30`;
}

test.describe("events", () => {
  test("an event planned from the composer is answered in another browser, counts move live, and the calendar lists it", async ({ browser }) => {
    const ana = await person(browser, `eana_${unique}`, "Ana Lima");
    const bo = await person(browser, `ebo_${unique}`, "Bo Chen");
    const url = await shareCommunity(ana, bo, `Events ${unique}`);

    await ana.getByRole("button", { name: "Plan an event" }).click();
    const form = ana.getByRole("form", { name: "Plan an event" });
    // The offline market source has no earnings calendar: the form says so, and keeps going.
    const earnings = form.getByRole("button", { name: "Next earnings day" });
    await expect(earnings).toBeDisabled();
    await form.getByLabel("About a stock (optional)").fill("$AAPL");
    await earnings.click();
    await expect(form.getByRole("alert")).toHaveText("The configured market sources don't offer this data.");
    await form.getByLabel("Title").fill("$AAPL earnings call");
    await form.getByLabel("Description (optional)").fill("Questions in the thread.");
    await form.getByLabel("Starts").fill(inThreeDays());
    // The device's zone is filled in; the organiser may change it.
    await expect(form.getByLabel("Time zone of these times")).not.toHaveValue("");
    await form.getByLabel("Time zone of these times").fill("America/New_York");
    await form.getByRole("button", { name: "Plan it" }).click();
    await expect(form).toHaveCount(0);

    // Bo sees it, in his own time and the organiser's, and says he is going.
    const boEvent = bo.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Event" });
    await expect(boEvent).toBeVisible();
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("Questions in the thread.");
    await expect(boEvent).toContainText("0 going");
    await boEvent.getByRole("button", { name: "Going", exact: true }).click();
    await expect(boEvent.getByRole("button", { name: "Going", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(boEvent).toContainText("1 going");
    await expect(boEvent).toContainText("Going: Bo Chen");

    // Ana's card moves without a reload.
    const anaEvent = ana.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Event" });
    await expect(anaEvent).toContainText("1 going");
    await anaEvent.getByRole("button", { name: "Maybe" }).click();
    await expect(anaEvent).toContainText("1 maybe");
    await expect(boEvent).toContainText("Maybe: Ana Lima");
    await saveScreenshot(bo, "event", false);

    // Ana (the organiser, and only she) changes it: Bo sees the new title, his answer kept.
    await expect(boEvent.getByRole("button", { name: "Change" })).toHaveCount(0);
    await anaEvent.getByRole("button", { name: "Change" }).click();
    const edit = ana.getByRole("form", { name: "Change the event" });
    await expect(edit.getByLabel("Title")).toHaveValue("$AAPL earnings call");
    await expect(edit.getByLabel("Time zone of these times")).toHaveValue("America/New_York");
    await edit.getByLabel("Title").fill("$AAPL earnings call (Q1)");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit).toHaveCount(0);
    await expect(bo.getByRole("log", { name: "Messages" })).toContainText("$AAPL earnings call (Q1)");
    await expect(boEvent).toContainText("Going: Bo Chen");

    // The calendar file downloads as a calendar.
    const ics = await bo.request.get(await boEvent.getByRole("link", { name: "Add to calendar (.ics)" }).getAttribute("href") ?? "");
    expect(ics.headers()["content-type"]).toContain("text/calendar");
    expect(await ics.text()).toContain("SUMMARY:$AAPL earnings call (Q1)");

    // The community's calendar lists it; an answer there is the same answer.
    await bo.getByRole("link", { name: "Events", exact: true }).click();
    await expect(bo.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
    const entry = bo.getByRole("listitem").filter({ hasText: "$AAPL earnings call (Q1)" });
    await expect(entry).toContainText("organised by Ana Lima");
    await expect(entry.getByRole("button", { name: "Going", exact: true })).toHaveAttribute("aria-pressed", "true");
    await saveScreenshot(bo, "calendar");
    await entry.getByRole("link", { name: "$AAPL earnings call (Q1)" }).click();
    await expect(bo).toHaveURL(new RegExp(`${new URL(url).pathname}\\?at=`));
  });
});
