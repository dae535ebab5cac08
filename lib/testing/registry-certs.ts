/**
 * Test certificates made with the `openssl` CLI: a throw-away CA, server
 * certificates signed by it, and a self-signed signer certificate for
 * registry token JWTs. For tests only; keys live in the given directory.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface TestCa {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface SigningCert extends IssuedCert {
  /** Base64 DER of the certificate, as an `x5c` JWT header entry. */
  certDerBase64: string;
}

/** Default SANs of a test server certificate. */
export const LOCAL_SANS = ["DNS:localhost", "IP:127.0.0.1"] as const;

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
}

function read(filePath: string): string {
  return readFileSync(filePath, "utf8");
}

/** A self-signed CA valid for two days. */
export function createTestCa(dir: string, name = "ca"): TestCa {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  openssl(
    [
      "req", "-x509", ...EC_KEY, "-keyout", keyPath, "-out", certPath, "-days", "2",
      "-subj", `/CN=Berth Test CA ${randomBytes(4).toString("hex")}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  return { certPem: read(certPath), keyPem: read(keyPath), certPath, keyPath };
}

/** A server certificate signed by `ca` with the given SANs (`DNS:x`, `IP:y`). */
export function issueServerCert(
  ca: TestCa,
  dir: string,
  name: string,
  sans: readonly string[] = LOCAL_SANS,
): IssuedCert {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  const csrPath = path.join(dir, `${name}.csr`);
  const extPath = path.join(dir, `${name}.ext`);
  writeFileSync(
    extPath,
    [
      `subjectAltName=${sans.join(",")}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n",
  );
  openssl(["req", "-new", ...EC_KEY, "-keyout", keyPath, "-out", csrPath, "-subj", `/CN=${name}`], dir);
  openssl(
    [
      "x509", "-req", "-in", csrPath, "-CA", ca.certPath, "-CAkey", ca.keyPath,
      "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-days", "2",
      "-extfile", extPath, "-out", certPath,
    ],
    dir,
  );
  return { certPem: read(certPath), keyPem: read(keyPath), certPath, keyPath };
}

/** A self-signed EC P-256 certificate whose key signs token JWTs (ES256). */
export function createSigningCert(dir: string, name = "token-signer"): SigningCert {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  openssl(
    ["req", "-x509", ...EC_KEY, "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", `/CN=${name}`],
    dir,
  );
  const certPem = read(certPath);
  const certDerBase64 = new X509Certificate(certPem).raw.toString("base64");
  return { certPem, keyPem: read(keyPath), certPath, keyPath, certDerBase64 };
}
