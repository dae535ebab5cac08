import Link from "next/link";
import { ChevronLeftIcon } from "@/components/ui/icons";

/** "‹ Container Registries": back to the list from a registry page. */
export function BackLink({ href }: { href: string }) {
  return (
    <Link
      href={href}
      className="mb-3 inline-flex items-center gap-1 rounded text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white"
    >
      <ChevronLeftIcon />
      <span className="sr-only">Back to </span>Container Registries
    </Link>
  );
}
