import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';

/** An exclusive lock on a data folder, held by one live process (PGlite does not lock its folder). */
export interface Lock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the lock, or null when the lock is free or left by a dead process. */
export function lockHolder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock or returns null when a live process holds it. A stale lock is taken over. */
export function tryLock(file: string): Lock | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release() {
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (lockHolder(file) !== null) return null;
      try {
        unlinkSync(file);
      } catch {
        /* raced with another process: retry decides */
      }
    }
  }
  return null;
}
