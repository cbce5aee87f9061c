import config from "./playwright.config";

// The look audit (390/1280 px, light/dark, axe, covered controls, sideways scroll) of the
// account pages: `npx playwright test --config audit.config.ts` against a running server. Not
// yet in scripts/test: it still finds problems (an avatar's contrast, a control under the sticky
// top bar, a link under an icon; issue 17's stop note lists them) and would hold every other
// change back until they are fixed.
export default { ...config, testDir: "./audit" };
