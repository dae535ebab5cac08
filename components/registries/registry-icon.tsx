import { getRegistryType } from "@/lib/registries/schemas";

/**
 * Small hand-drawn marks for the catalogue's icon ids (simplified shapes in the providers'
 * colours, not their trademarked logos). Decorative: the type's label always stands beside it.
 */
const ICONS: Record<string, { bg: string; glyph: React.ReactNode }> = {
  github: {
    bg: "#24292f",
    glyph: <path fill="#fff" d="M7.2 8.4 7.6 4.8l2.7 1.8a6.6 6.6 0 0 1 3.4 0l2.7-1.8.4 3.6a6.3 6.3 0 0 1 1.4 4c0 3.6-2.7 6.2-6.2 6.2s-6.2-2.6-6.2-6.2c0-1.5.5-2.9 1.4-4Z" />,
  },
  docker: {
    bg: "#1d63ed",
    glyph: (
      <g fill="#fff">
        <path d="M3.2 12.2h15.1c.9 0 1.7-.5 2.2-1.3.6.5.8 1.2.5 2-1.3 3.8-4.8 6.1-9.4 6.1-4.4 0-7.4-2.5-8.4-6.8Z" />
        <rect x="5" y="9.2" width="2.4" height="2.2" rx=".3" />
        <rect x="8.1" y="9.2" width="2.4" height="2.2" rx=".3" />
        <rect x="11.2" y="9.2" width="2.4" height="2.2" rx=".3" />
        <rect x="8.1" y="6.3" width="2.4" height="2.2" rx=".3" />
        <rect x="11.2" y="6.3" width="2.4" height="2.2" rx=".3" />
        <rect x="14.3" y="9.2" width="2.4" height="2.2" rx=".3" />
      </g>
    ),
  },
  aws: {
    bg: "#232f3e",
    glyph: (
      <g fill="none" stroke="#ff9900" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M5 13.5c4.2 3 9.8 3 14 0" />
        <path d="m16.6 12.6 2.6.7-.5 2.6" />
        <path d="M7 10V7.5M10.3 10V6M13.7 10V6M17 10V7.5" stroke="#fff" strokeWidth="1.6" />
      </g>
    ),
  },
  azure: {
    bg: "#0078d4",
    glyph: (
      <g fill="#fff">
        <path d="M10.2 5h3.7L9 19H4.6Z" />
        <path d="M14.6 8.4 19.4 19H10l5.1-2.5-2.3-3.7Z" opacity=".8" />
      </g>
    ),
  },
  "google-cloud": {
    bg: "#4285f4",
    glyph: <path fill="#fff" d="M8 17.5a4.1 4.1 0 0 1-.6-8.1 5.1 5.1 0 0 1 9.7 1.6 3.3 3.3 0 0 1-.4 6.5Z" />,
  },
  redhat: {
    bg: "#ee0000",
    glyph: (
      <g fill="#fff">
        <path d="m7 13.2 1.7-5.3c.4-1.1 1.5-1.5 2.6-1l.9.4.9-.4c1.1-.5 2.2 0 2.6 1l1.5 5.3Z" />
        <path d="M3.6 13.2c1.4 2.5 5.6 4.1 10.2 4.1 3.4 0 6.6-1 6.6-2.7 0-.9-.8-1.3-1.7-1.4Z" opacity=".85" />
      </g>
    ),
  },
  gitlab: {
    bg: "#fc6d26",
    glyph: <path fill="#fff" d="m12 19.5-8.2-6 1.9-7.8 2.2 5.9h8.2l2.2-5.9 1.9 7.8Z" />,
  },
  harbor: {
    bg: "#2f6fad",
    glyph: (
      <g fill="#fff">
        <path d="M10.1 19.5 11 9h2l.9 10.5Z" />
        <path d="M9.6 8.4h4.8l-.9-2.3h-3Z" />
        <path d="M4 6.5 9 8M20 6.5 15 8" stroke="#fff" strokeWidth="1.3" strokeLinecap="round" opacity=".7" />
        <rect x="7" y="19" width="10" height="1.4" rx=".7" />
      </g>
    ),
  },
  jfrog: {
    bg: "#40a946",
    glyph: (
      <g>
        <path fill="#fff" d="M4.5 13.5c0-3 3.3-5 7.5-5s7.5 2 7.5 5-3.3 5-7.5 5-7.5-2-7.5-5Z" />
        <circle cx="8.5" cy="8.3" r="2.4" fill="#fff" />
        <circle cx="15.5" cy="8.3" r="2.4" fill="#fff" />
        <circle cx="8.5" cy="8.3" r="1" fill="#40a946" />
        <circle cx="15.5" cy="8.3" r="1" fill="#40a946" />
        <path d="M9 14.5c1.8 1.3 4.2 1.3 6 0" fill="none" stroke="#40a946" strokeWidth="1.3" strokeLinecap="round" />
      </g>
    ),
  },
  server: {
    bg: "#52525b",
    glyph: (
      <g fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round">
        <rect x="5" y="5" width="14" height="6" rx="1.5" />
        <rect x="5" y="13" width="14" height="6" rx="1.5" />
        <path d="M8 8h.01M8 16h.01M12 8h4M12 16h4" />
      </g>
    ),
  },
  globe: {
    bg: "#0e7490",
    glyph: (
      <g fill="none" stroke="#fff" strokeWidth="1.5">
        <circle cx="12" cy="12" r="7" />
        <path d="M5 12h14M12 5c2 2 2.8 4.3 2.8 7S14 17 12 19c-2-2-2.8-4.3-2.8-7S10 7 12 5Z" />
      </g>
    ),
  },
};

export function RegistryIcon({ type, className = "h-6 w-6" }: { type: string; className?: string }) {
  const icon = ICONS[getRegistryType(type)?.icon ?? "server"] ?? ICONS.server!;
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className={`shrink-0 ${className}`} data-icon={getRegistryType(type)?.icon}>
      <rect x=".5" y=".5" width="23" height="23" rx="5.5" fill={icon.bg} strokeWidth="1" className="stroke-black/5 dark:stroke-white/20" />
      {icon.glyph}
    </svg>
  );
}
