export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { bootOrExit } = await import("./lib/server/boot");
    await bootOrExit();
  }
}
