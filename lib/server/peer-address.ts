import { installPeerStamp } from "./peer-stamp.mjs";

/**
 * Stamps every incoming request with the TCP peer's address (lib/server/peer-stamp.mjs, where the
 * why is). Called by the start-up work; a no-op when lib/build/start.mjs already installed it
 * before the server listened.
 */
export function installPeerAddressStamp(): void {
  installPeerStamp();
}
