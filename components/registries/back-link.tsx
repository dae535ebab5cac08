import Link from "next/link";

/** "‹ Container Registries": back to the list from a registry page. */
export function BackLink({ href }: { href: string }) {
  return (
    <Link
      href={href}
      className="mb-3 inline-flex items-center gap-1 rounded text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
        <path d="M12.7 5.3a1 1 0 0 1 0 1.4L9.4 10l3.3 3.3a1 1 0 0 1-1.4 1.4l-4-4a1 1 0 0 1 0-1.4l4-4a1 1 0 0 1 1.4 0Z" />
      </svg>
      <span className="sr-only">Back to </span>Container Registries
    </Link>
  );
}
