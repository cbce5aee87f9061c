import config from "./playwright.config";

// The look audit (390/1280 px, light/dark, axe, covered controls, sideways scroll) of the
// account pages: `npx playwright test --config audit.config.ts` against a running server. Not
// yet in scripts/test: it still finds problems (docs/SECURITY.md's sibling: the stop note of
// issue 17 lists them) and would hold every other change back until they are fixed.
export default { ...config, testDir: "./audit" };
