/**
 * The time a server render happens, passed to client components so that relative times
 * ("3 minutes ago") render the same on the server and during hydration.
 */
export function requestTime(): number {
  return Date.now();
}
