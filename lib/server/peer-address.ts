import http from "node:http";
import { PEER_HEADER } from "@/lib/client-address";

/**
 * Next.js gives route handlers no access to the socket, and it keeps a client-sent
 * X-Forwarded-For as it is. So the server process stamps every incoming request with the TCP
 * peer's address in a header of its own, overwriting whatever the client sent under that name.
 * Rate limits, token allowlists and the audit log read it through lib/client-address.ts.
 */
export function installPeerAddressStamp(): void {
  const proto = http.Server.prototype as unknown as { emit: (...args: unknown[]) => boolean; __berthPeer?: boolean };
  if (proto.__berthPeer) return;
  const original = proto.emit;
  proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_HEADER] = req.socket?.remoteAddress ?? "";
    }
    return original.call(this, event, ...args);
  };
  proto.__berthPeer = true;
}
