/**
 * The data directory holds the embedded database (every contact's phone number and name the phone index
 * keeps, call logs), the generated secret key and the sandbox's state: it is readable by Spokes' own user
 * only. Directories are made 0700 and files 0600 — created so (the CLI sets umask 077; the directories here
 * are made with their mode), and tightened at every start for a data directory made by an older version or
 * loosened by hand. A directory 0700 alone already keeps other users out of everything below it.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` 0700 (with its parents) if needed. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** What Spokes keeps in its data directory; anything else there is not its to change. */
const OWN_ENTRIES = ['pg', 'sandbox', 'secret.key', 'server.json', 'pg.lock'];

/**
 * Tightens the data directory and what Spokes keeps in it: 0700 for directories, 0600 for files; symbolic
 * links are left alone (not followed). A shared directory (sticky bit, like /tmp) given as the data directory
 * is not changed itself. Returns how many entries had looser modes.
 */
export function protectDataDir(dataDir: string): number {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  let loosened = 0;
  const mode = lstatSync(dataDir).mode;
  if ((mode & 0o1000) === 0 && tighten(dataDir, PRIVATE_DIR_MODE, mode)) loosened++;
  const stack: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if (tighten(path, PRIVATE_DIR_MODE, stat.mode)) loosened++;
      stack.push(path);
    } else if (stat.isFile() && tighten(path, PRIVATE_FILE_MODE, stat.mode)) {
      loosened++;
    }
  };
  for (const name of OWN_ENTRIES) visit(join(dataDir, name));
  while (stack.length) {
    const dir = stack.pop()!;
    for (const name of readdirSync(dir)) visit(join(dir, name));
  }
  return loosened;
}

/** Takes group and other permissions away; true when there were any. */
function tighten(path: string, mode: number, current = lstatSync(path).mode): boolean {
  if ((current & 0o077) === 0) return false;
  chmodSync(path, mode);
  return true;
}
