export function Logo({ className = "h-6 w-6" }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className={className} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M3 17h18l-2 4H5l-2-4Z" />
      <path d="M6 17V9h5v8M13 17V5h5v12" />
    </svg>
  );
}
