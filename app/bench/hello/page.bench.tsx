/** Benchmark build only: the hello-world page the registry pages are compared with. */
export default function HelloPage() {
  return <main className="p-8">Hello, world</main>;
}
