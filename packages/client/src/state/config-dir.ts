import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Leasehold keeps its cached state on this platform: `$LEASEHOLD_CONFIG_DIR`
 * if set, else `$XDG_CONFIG_HOME/leasehold` (or `~/.config/leasehold`) on Linux,
 * `~/Library/Application Support/leasehold` on macOS, `%APPDATA%\leasehold` on Windows.
 *
 * @example
 * ```ts
 * defaultStateDir(); // "/home/alice/.config/leasehold"
 * ```
 */
export function defaultStateDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.LEASEHOLD_CONFIG_DIR) return env.LEASEHOLD_CONFIG_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'leasehold');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'leasehold');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'leasehold');
}
