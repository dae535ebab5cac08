import Image from "next/image";

/**
 * The Berth mark (public/logo.svg). Decorative: the name "Berth" always stands beside it, so the
 * image has an empty alt text. `className` sets its size.
 */
export function Logo({ className = "h-6 w-6" }: { className?: string }) {
  return <Image src="/logo.svg" alt="" width={28} height={28} unoptimized loading="eager" className={className} />;
}
