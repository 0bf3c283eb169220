/**
 * Whether a URL's host name (`new URL(…).hostname`) names this machine's loopback interface by
 * one of its usual names: where plain HTTP, or a redirect back to a local tool, may be allowed.
 * Pure.
 */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTNAMES.has(hostname);
