/**
 * The TCP peer's address, stamped into a request header the client cannot forge.
 *
 * Next.js gives route handlers no access to the socket, so the server process writes the peer's
 * address into the `x-berth-peer` request header (overwriting whatever the client sent under
 * that name) from a hook on `http.Server.prototype.emit`. That hook used to be installed only by
 * the instrumentation hook, which runs after Next has started listening: requests accepted in
 * between kept a client-sent value, and a token's CIDR allowlist, the per-address sign-in limit
 * and the audit address could be forged on every start (issue 16).
 *
 * So the value is now `ADDRESS MARK`, MARK being an HMAC of the address under a random key of
 * this process, which never leaves it; the reader (lib/client-address.ts) ignores a value whose
 * mark does not verify, so a request that reached the app before the hook was installed has no
 * address at all (fails closed) instead of the one the client chose. And where Berth controls the
 * start (`npm start`, lib/build/start.mjs), the hook is installed before the server listens.
 *
 * Plain JavaScript so that lib/build/start.mjs can load it before the standalone server; shared
 * between the bundles of one process through `globalThis` (Symbol.for keys).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";

export const PEER_HEADER = "x-berth-peer";

const KEY = Symbol.for("berth.peerMarkKey");
const INSTALLED = Symbol.for("berth.peerStampInstalled");
/** Longest address text accepted (an IPv6 address with an embedded IPv4 part and a zone). */
const MAX_ADDRESS_LENGTH = 64;

/** @returns {Buffer} the per-process key, made on first use */
function markKey() {
  const holder = /** @type {Record<symbol, Buffer | undefined>} */ (/** @type {unknown} */ (globalThis));
  holder[KEY] ??= randomBytes(32);
  return holder[KEY];
}

/** @param {string} address */
function mark(address) {
  return createHmac("sha256", markKey()).update(address).digest("base64url");
}

/**
 * The header value the stamp writes for `address` (tests use it to stand for the stamp).
 * @param {string} address
 * @returns {string}
 */
export function stampedPeer(address) {
  return `${address} ${mark(address)}`;
}

/**
 * The address of a stamped value; null for a value this process did not write (absent, unmarked,
 * or marked with another key).
 * @param {string | null | undefined} value
 * @returns {string | null}
 */
export function readStampedPeer(value) {
  if (!value) return null;
  const space = value.indexOf(" ");
  if (space <= 0 || space > MAX_ADDRESS_LENGTH) return null;
  const address = value.slice(0, space);
  const given = Buffer.from(value.slice(space + 1));
  const expected = Buffer.from(mark(address));
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : null;
}

/** Installs the stamp once per process (before `listen` when the caller can, else as soon as it can). */
export function installPeerStamp() {
  const proto = /** @type {{ emit: (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean }} */ (/** @type {unknown} */ (http.Server.prototype));
  const holder = /** @type {Record<symbol, boolean | undefined>} */ (/** @type {unknown} */ (globalThis));
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  const original = proto.emit;
  proto.emit = function (event, ...args) {
    if (event === "request") {
      const req = /** @type {http.IncomingMessage} */ (args[0]);
      const address = req.socket?.remoteAddress;
      if (address) req.headers[PEER_HEADER] = stampedPeer(address);
      else delete req.headers[PEER_HEADER];
    }
    return original.call(this, event, ...args);
  };
}
