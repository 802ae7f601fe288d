import { type Browser, chromium } from 'playwright-core';

/** Flags for Debian's headless Chromium in tests. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches the system Chromium headless. */
export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
