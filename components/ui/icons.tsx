/**
 * Every icon of the interface, in one place. All are decorative (aria-hidden): the text beside
 * an icon, or the label of its button, says what it means. Interface icons draw in currentColor
 * on a 20 × 20 grid; `className` sets their size and colour.
 */

type IconProps = { className?: string };

function Stroke({ className, width = 1.8, miter, children }: { className: string; width?: number; miter?: boolean; children: React.ReactNode }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 20 20"
      className={className}
      fill="none"
      stroke="currentColor"
      strokeWidth={width}
      strokeLinecap="round"
      strokeLinejoin={miter ? undefined : "round"}
    >
      {children}
    </svg>
  );
}

function Solid({ className, d }: { className: string; d: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className={className} fill="currentColor">
      <path d={d} />
    </svg>
  );
}

export const PlusIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Stroke className={className} width={2}>
    <path d="M10 4v12M4 10h12" />
  </Stroke>
);

export const SearchIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Stroke className={className} width={2}>
    <circle cx="9" cy="9" r="5.5" />
    <path d="m13 13 3.5 3.5" />
  </Stroke>
);

export const BoltIcon = ({ className = "h-3.5 w-3.5" }: IconProps) => (
  <Stroke className={className}>
    <path d="M11 2.5 4.5 11H10l-1 6.5L15.5 9H10Z" />
  </Stroke>
);

export const PencilIcon = ({ className = "h-3.5 w-3.5" }: IconProps) => (
  <Stroke className={className}>
    <path d="m13.5 3.5 3 3L7 16l-3.5.5L4 13Z" />
  </Stroke>
);

export const TrashIcon = ({ className = "h-3.5 w-3.5" }: IconProps) => (
  <Stroke className={className} miter>
    <path d="M4 6h12M8 6V4h4v2M5.5 6l.8 10h7.4l.8-10M8.5 9v4.5M11.5 9v4.5" />
  </Stroke>
);

/** A plug: Test Connection. */
export const PlugIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Stroke className={className}>
    <path d="M7 2.5v4M13 2.5v4M5 6.5h10v3a5 5 0 0 1-10 0Zm5 8v3" />
  </Stroke>
);

export const UploadIcon = ({ className = "h-3.5 w-3.5" }: IconProps) => (
  <Stroke className={className}>
    <path d="M10 13V3m0 0L6 7m4-4 4 4M4 13v3h12v-3" />
  </Stroke>
);

export const ExternalLinkIcon = ({ className = "h-3 w-3" }: IconProps) => (
  <Stroke className={className} width={2}>
    <path d="M8 4H4v12h12v-4M11 3h6v6M17 3l-8 8" />
  </Stroke>
);

/** A passed step (green tick). */
export const CheckIcon = ({ className = "mt-px h-3.5 w-3.5 shrink-0 text-emerald-600 dark:text-emerald-400" }: IconProps) => (
  <Stroke className={className} width={2.2}>
    <path d="m4.5 10.5 3.5 3.5 7.5-8" />
  </Stroke>
);

/** A failed step (red cross). */
export const CrossIcon = ({ className = "mt-px h-3.5 w-3.5 shrink-0 text-red-600 dark:text-red-400" }: IconProps) => (
  <Stroke className={className} width={2.2}>
    <path d="m5.5 5.5 9 9m0-9-9 9" />
  </Stroke>
);

/** Dismiss / close. */
export const CloseIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Stroke className={className} width={2}>
    <path d="m5 5 10 10M15 5 5 15" />
  </Stroke>
);

export const ChevronLeftIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Solid className={className} d="M12.7 5.3a1 1 0 0 1 0 1.4L9.4 10l3.3 3.3a1 1 0 0 1-1.4 1.4l-4-4a1 1 0 0 1 0-1.4l4-4a1 1 0 0 1 1.4 0Z" />
);

export const ChevronRightIcon = ({ className = "h-3.5 w-3.5" }: IconProps) => (
  <Solid className={className} d="M7.3 5.3a1 1 0 0 1 1.4 0l4 4a1 1 0 0 1 0 1.4l-4 4a1 1 0 0 1-1.4-1.4l3.3-3.3-3.3-3.3a1 1 0 0 1 0-1.4Z" />
);

export const ChevronDownIcon = ({ className = "h-4 w-4" }: IconProps) => (
  <Solid className={className} d="M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4Z" />
);

/** A field error: an exclamation mark in a filled circle. */
export const ErrorIcon = ({ className = "mt-px h-3.5 w-3.5 shrink-0" }: IconProps) => (
  <Solid className={className} d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm-.9 4h1.8v5.2H9.1Zm0 6.8h1.8v1.8H9.1Z" />
);

/** A field warning: an exclamation mark in a filled triangle. */
export const WarningIcon = ({ className = "mt-px h-3.5 w-3.5 shrink-0" }: IconProps) => (
  <Solid className={className} d="M10 2.5 1.5 17.5h17Zm-.9 5h1.8v5H9.1Zm0 6.4h1.8v1.8H9.1Z" />
);

const NOTICE_GLYPHS = {
  success: <path d="m5 10.5 3 3 7-7" className="stroke-emerald-600 dark:stroke-emerald-400" />,
  error: <path d="M10 6v5m0 3h.01" className="stroke-red-600 dark:stroke-red-400" />,
  warning: <path d="M10 6v5m0 3h.01" className="stroke-amber-600 dark:stroke-amber-400" />,
  info: <path d="M10 9v5m0-8h.01" className="stroke-sky-600 dark:stroke-sky-400" />,
} as const;

/** The tone mark of a notification: a faint ring with a tick, "!" or "i" in the tone's colour. */
export function NoticeIcon({ tone, className = "mt-0.5 h-5 w-5 shrink-0" }: IconProps & { tone: keyof typeof NOTICE_GLYPHS }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" className={className}>
      <circle cx="10" cy="10" r="8" className="stroke-current opacity-20" />
      {NOTICE_GLYPHS[tone]}
    </svg>
  );
}

/** An indeterminate progress indicator; the surrounding text or aria-busy says what is happening. */
export function Spinner({ className = "h-4 w-4" }: IconProps) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" className={`animate-spin motion-reduce:animate-[spin_1.5s_linear_infinite] ${className}`}>
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
}

/**
 * Marks for the registry type catalogue's icon ids: simplified shapes in the providers' colours on
 * a 24 × 24 tile, drawn for Berth (not the providers' trademarked logos). An id without a mark
 * gets the generic "server" tile.
 */
const REGISTRY_TYPE_MARKS: Record<string, { bg: string; glyph: React.ReactNode }> = {
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
  /** DigitalOcean: an open ring (a drop seen from above) with two small steps at its foot. */
  digitalocean: {
    bg: "#0069ff",
    glyph: (
      <g fill="#fff">
        <path d="M12 4.5a7.5 7.5 0 0 1 0 15v-3a4.5 4.5 0 1 0-4.5-4.5h-3A7.5 7.5 0 0 1 12 4.5Z" />
        <rect x="9" y="16.5" width="3" height="3" />
        <rect x="6.2" y="14.4" width="2.3" height="2.3" />
      </g>
    ),
  },
  /** Oracle Cloud: a wide rounded ring, the shape of the "O" in its wordmark. */
  oracle: {
    bg: "#c74634",
    glyph: <path fill="#fff" fillRule="evenodd" d="M8.2 7h7.6a5 5 0 0 1 0 10H8.2a5 5 0 0 1 0-10Zm.1 2.4a2.6 2.6 0 0 0 0 5.2h7.4a2.6 2.6 0 0 0 0-5.2Z" />,
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

/** The icon ids that have their own mark (any other id is drawn as "server"). */
export const REGISTRY_TYPE_ICON_IDS: readonly string[] = Object.keys(REGISTRY_TYPE_MARKS);

/** The tile for one registry type icon id; `data-icon` names the id asked for. */
export function RegistryTypeIcon({ icon, className = "h-6 w-6" }: { icon: string | undefined; className?: string }) {
  const mark = (icon !== undefined && Object.hasOwn(REGISTRY_TYPE_MARKS, icon) ? REGISTRY_TYPE_MARKS[icon] : undefined) ?? REGISTRY_TYPE_MARKS.server!;
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className={`shrink-0 ${className}`} data-icon={icon}>
      <rect x=".5" y=".5" width="23" height="23" rx="5.5" fill={mark.bg} strokeWidth="1" className="stroke-black/5 dark:stroke-white/20" />
      {mark.glyph}
    </svg>
  );
}
