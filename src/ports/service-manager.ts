/**
 * What the daemon tells its service manager (systemd's sd_notify protocol, sd_notify(3)): ready, stopping,
 * a one-line status, and watchdog keep-alives. Without a service manager every call does nothing.
 */
export interface ServiceManager {
  /** True when a service manager listens (systemd set $NOTIFY_SOCKET). */
  readonly active: boolean;
  /** The watchdog period the manager expects (WATCHDOG_USEC for this process), or undefined. */
  readonly watchdogMs: number | undefined;
  ready(status: string): Promise<void>;
  status(status: string): Promise<void>;
  stopping(status: string): Promise<void>;
  watchdog(): Promise<void>;
}
