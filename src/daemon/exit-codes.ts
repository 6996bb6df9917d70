import type { ErrorCode } from "../errors/codes.js";

/**
 * sysexits-style codes. 0 only for a requested stop, so launchd's KeepAlive {SuccessfulExit: false} and
 * systemd's Restart=on-failure restart cortexd after a crash but not after `launchctl bootout` / SIGTERM.
 */
export const EXIT = { OK: 0, SOFTWARE: 70, USAGE: 64, UNAVAILABLE: 69, CANTCREAT: 73, TEMPFAIL: 75, CONFIG: 78 } as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case "CFG_INVALID":
    case "CFG_FILE_CORRUPT":
    case "REDIS_PREFIX_CONFLICT": // a person must choose which keys to keep
      return EXIT.CONFIG;
    case "DAEMON_HOME_UNWRITABLE":
      return EXIT.CANTCREAT;
    case "DAEMON_ALREADY_RUNNING":
    case "DAEMON_ADDRESS_IN_USE":
      return EXIT.TEMPFAIL;
    case "REDIS_MISSING":
    case "REDIS_UNAVAILABLE":
      return EXIT.UNAVAILABLE;
    default:
      return EXIT.SOFTWARE;
  }
}
