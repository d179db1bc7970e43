/** Debian's packages for the real server stacks. */
export const PACKAGES: readonly string[];
/** The one command that installs them. */
export const INSTALL: string;
/** The Python (importing fastapi and uvicorn) and redis-server the stacks run on; undefined where missing. */
export function findServers(): { python: string | undefined; redis: string | undefined };
