// Every test process gets a fixed keyring and auth secret (the server requires them with
// DATABASE_URL) and quiet logs, unless the caller set its own.
process.env.ENCRYPTION_KEYS ??= "test:" + Buffer.alloc(32, 7).toString("base64");
process.env.AUTH_SECRET ??= "test-auth-secret-that-is-long-enough-0123456789";
process.env.LOG_LEVEL ??= "silent";
process.env.OUTBOUND_ALLOW_CIDRS ??= "127.0.0.1/32";
