/** The Spokes mark: a hub with three spokes. */
export function SpokesLogo({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1f5fd6" />
      <g stroke="#fff" strokeWidth="2.4" strokeLinecap="round">
        <path d="M16 16V7M16 16l7.8 4.5M16 16l-7.8 4.5" />
      </g>
      <circle cx="16" cy="16" r="3.6" fill="#fff" />
      <circle cx="16" cy="7" r="2" fill="#fff" />
      <circle cx="23.8" cy="20.5" r="2" fill="#fff" />
      <circle cx="8.2" cy="20.5" r="2" fill="#fff" />
    </svg>
  );
}
