/**
 * A random id for this server process, sent as `X-Berth-Instance` on every response so an
 * operator (and the cluster test) can see which instance behind a load balancer answered. It is
 * not a secret and says nothing about the host: 8 random hex characters, new on every start.
 * Kept on globalThis so every bundle of the process (the proxy and the route handlers) sees one id.
 */
export const INSTANCE_HEADER = "X-Berth-Instance";

const holder = globalThis as unknown as { berthInstanceId?: string };

export function instanceId(): string {
  holder.berthInstanceId ??= crypto.randomUUID().replace(/-/g, "").slice(0, 8);
  return holder.berthInstanceId;
}
