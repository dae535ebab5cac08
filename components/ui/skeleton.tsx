/** A placeholder block shown while content loads; sized by the caller so nothing shifts when data arrives. */
export function Skeleton({ className = "" }: { className?: string }) {
  return <span aria-hidden="true" className={`block animate-pulse rounded bg-zinc-200 motion-reduce:animate-none dark:bg-zinc-800 ${className}`} />;
}
