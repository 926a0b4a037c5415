// A real Chromium for page tests (Debian's package, driven by playwright-core). CI installs it;
// elsewhere tests that need it are skipped with a message saying how to get it.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Creates an account on the sign-up page of the app at `url`, as a reader does; waits for the home page it leads to. */
export async function createAccount(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/sign-up`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${url}/`);
}

/** A Cookie header ("a=1; b=2", as a sign-up's Set-Cookie lines give it) as cookies for a browser context at `url`. */
export function cookiesOf(header: string, url: string): { name: string; value: string; url: string }[] {
  return header.split("; ").map((pair) => {
    const [name, ...value] = pair.split("=");
    return { name: name!, value: value.join("="), url };
  });
}

/**
 * Presses `key` until `done` holds (up to `timeout` ms), giving each press `settle` ms to show its
 * effect before the next. The app's keys are attached once React has hydrated the page, which a
 * loaded machine may not have done when a test's first key goes out; an unhandled press does
 * nothing, so pressing again changes nothing else.
 */
export async function pressUntil(page: Page, key: string, done: () => Promise<boolean>, { timeout = 15_000, settle = 1_000 } = {}): Promise<void> {
  const until = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press(key);
    const settled = Date.now() + settle;
    do {
      if (await done()) return;
      await page.waitForTimeout(50);
    } while (Date.now() < settled);
    if (Date.now() > until) throw new Error(`pressing "${key}" for ${timeout / 1000} s did not have its effect (was the page hydrated?)`);
  }
}
