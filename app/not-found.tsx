import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">It does not exist, or it belongs to a company you are not a member of.</p>
      <Link href="/" className="text-sm font-medium text-brand-600 hover:underline">Go to your dashboard</Link>
    </main>
  );
}
