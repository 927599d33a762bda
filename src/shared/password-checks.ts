/**
 * Password (scrypt) checks run at once by default, by the broker (`limits.maxConcurrentLogins`) and the
 * status page, which check the same accounts with the same hashes (adapters/mqtt/auth/password-hash.ts).
 * Each holds 128·N·r bytes (16 MiB with the defaults) while it runs, on one of libuv's four pool threads,
 * which the state-file writes share. 50 logins at once on the 2-core box: at 4, 2.1 s and 65 MiB more
 * resident; at 2, also 2.1 s and 33 MiB (`npm run bench -- login-storm`). Reconnect storms spiked the
 * broker's RSS by up to 60 MiB at 4.
 */
export const SCRYPT_CHECKS_AT_ONCE = 2;
