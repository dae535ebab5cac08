/** A host that may wrap after "/" and before "." rather than anywhere. */
export function BreakableHost({ host }: { host: string }) {
  const parts = host.split(/(?<=\/)|(?=\.)/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </span>
      ))}
    </>
  );
}
