import Link from "next/link";
import { Logo } from "./logo";

export function AppHeader({ children, homeHref = "/" }: { children?: React.ReactNode; homeHref?: string }) {
  return (
    <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/85 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/85">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4">
        <Link href={homeHref} className="flex items-center gap-2 font-semibold tracking-tight text-zinc-900 dark:text-white">
          <Logo className="h-6 w-6" />
          <span>Berth</span>
        </Link>
        <div className="ml-auto flex items-center gap-2">{children}</div>
      </div>
    </header>
  );
}
