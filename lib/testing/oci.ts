/**
 * Builds a minimal OCI image layout (one tiny layer) in a temp directory and
 * pushes it to a local test registry with `skopeo copy`.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { assertLoopbackHost } from "./registry-net";

export const OCI_MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

export interface OciLayout {
  dir: string;
  tag: string;
  manifestDigest: string;
  remove(): void;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** A ustar archive holding one regular file. */
export function singleFileTar(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512, 0);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "ascii");
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0") + "\0";
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(content.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field("        ", 148, 8);
  field("0", 156, 1);
  field("ustar\0", 257, 6);
  field("00", 263, 2);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  field(octal(checksum, 7) + " ", 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024, 0)]);
}

function writeBlob(dir: string, mediaType: string, data: Buffer): Descriptor {
  const digest = sha256(data);
  writeFileSync(path.join(dir, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { mediaType, digest, size: data.length };
}

/** Writes `oci-layout`, `index.json` and the blobs of a one-layer image tagged `tag`. */
export function buildOciLayout(options: { tag?: string; content?: string } = {}): OciLayout {
  const tag = options.tag ?? "v1";
  const dir = mkdtempSync(path.join(os.tmpdir(), "berth-oci-"));
  mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
  const tar = singleFileTar("hello.txt", Buffer.from(options.content ?? `hello from berth ${Date.now()}\n`));
  const layer = writeBlob(dir, OCI_LAYER_TYPE, gzipSync(tar));
  const config = writeBlob(
    dir,
    OCI_CONFIG_TYPE,
    Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(tar)] } })),
  );
  const manifest = writeBlob(
    dir,
    OCI_MANIFEST_TYPE,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST_TYPE, config, layers: [layer] })),
  );
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ ...manifest, annotations: { "org.opencontainers.image.ref.name": tag } }],
  };
  writeFileSync(path.join(dir, "index.json"), JSON.stringify(index));
  writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  return { dir, tag, manifestDigest: manifest.digest, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PushOptions {
  layout: OciLayout;
  /** `127.0.0.1:PORT` of the target registry (loopback only). */
  registryHost: string;
  /** Repository name, e.g. `team/app`. */
  repository: string;
  tag?: string;
  credentials?: { username: string; password: string };
  /** CA PEM for HTTPS registries; omitted = plain HTTP (TLS verification off). */
  caPem?: string;
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${bin} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

/** Copies the layout to `docker://HOST/REPOSITORY:TAG` with skopeo. */
export async function pushOciLayout(options: PushOptions): Promise<string> {
  assertLoopbackHost(options.registryHost.replace(/:\d+$/, ""));
  const tag = options.tag ?? options.layout.tag;
  const reference = `${options.registryHost}/${options.repository}:${tag}`;
  const work = mkdtempSync(path.join(os.tmpdir(), "berth-skopeo-"));
  try {
    const args = ["--insecure-policy", "copy", "--retry-times", "0"];
    if (options.credentials) args.push("--dest-creds", `${options.credentials.username}:${options.credentials.password}`);
    else args.push("--dest-no-creds");
    if (options.caPem) {
      const certDir = path.join(work, "certs");
      mkdirSync(certDir);
      writeFileSync(path.join(certDir, "ca.crt"), options.caPem);
      args.push("--dest-cert-dir", certDir);
    } else {
      args.push("--dest-tls-verify=false");
    }
    args.push(`oci:${options.layout.dir}:${options.layout.tag}`, `docker://${reference}`);
    const env = { ...process.env, HOME: work, XDG_RUNTIME_DIR: work, REGISTRY_AUTH_FILE: path.join(work, "auth.json") };
    await run("skopeo", args, env);
    return reference;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
