// Launches Debian's Chromium through playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'landguard-chromium-'));
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--font-render-hinting=none',
    '--lang=zh-CN',
  ];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return context;
}

/**
 * Signs `name` in from the map's top bar, as a person does, and waits until the page shows who is signed in;
 * the sign-in must answer 200.
 */
export async function signIn(page, name, password) {
  await page.locator('#sign-in-button').click();
  await page.locator('#sign-in-dialog').waitFor();
  await page.locator('#sign-in-name').fill(name);
  await page.locator('#sign-in-password').fill(password);
  const answered = page.waitForResponse((r) => r.url().endsWith('/session') && r.request().method() === 'POST');
  await page.locator('#sign-in-submit').click();
  const status = (await answered).status();
  if (status !== 200) throw new Error(`signing in as ${name} answered ${status}, not 200`);
  await page.locator('#session-who', { hasText: name }).waitFor();
}

/** Another person's session, outside the browser (for a write the page did not make): sign in by the API
 * and return the cookie and CSRF value a write sends. */
export async function otherSession(base, name, password) {
  const r = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (r.status !== 200) throw new Error(`${name} signing in answered ${r.status}, not 200`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  return { cookie, csrf };
}
