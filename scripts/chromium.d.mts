/** Launch options for playwright-core: a Chromium executable, or Google Chrome's channel. */
export type ChromiumLaunch = { executablePath: string } | { channel: 'chrome' };
/** The launch options for playwright-core, or undefined when this machine has no Chromium. */
export function findChromium(): Promise<ChromiumLaunch | undefined>;
/** The one command that installs a Chromium on this machine. */
export const INSTALL: string;
