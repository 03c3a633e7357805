import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Files of one cluster's PKI, all under one folder. */
export interface ClusterPki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly controllerManagerCert: string;
  readonly controllerManagerKey: string;
  /** Key pair that signs and verifies service-account tokens. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  /** kube-apiserver --token-auth-file: one line for the user "restricted". */
  readonly tokenFile: string;
  readonly restrictedToken: string;
}

/**
 * Makes a fresh CA and the certificates one test cluster needs, with openssl (P-256 keys:
 * quick to make). The admin's certificate is in group system:masters; the controller-manager's
 * CN is the user its bootstrap RBAC role binds to.
 */
export async function makeClusterPki(dir: string): Promise<ClusterPki> {
  const p = (name: string) => join(dir, name);
  const pki: ClusterPki = {
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    servingCert: p("apiserver.crt"),
    servingKey: p("apiserver.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    controllerManagerCert: p("controller-manager.crt"),
    controllerManagerKey: p("controller-manager.key"),
    serviceAccountKey: p("sa.key"),
    serviceAccountPub: p("sa.pub"),
    tokenFile: p("tokens.csv"),
    restrictedToken: randomBytes(24).toString("hex"),
  };
  await openssl(
    "req",
    "-x509",
    ...ecKey(pki.caKey),
    "-out",
    pki.caCert,
    "-days",
    "30",
    "-subj",
    "/CN=kubesnap-testenv-ca",
  );
  await Promise.all([
    sign(dir, pki, "apiserver", "/CN=kube-apiserver", [
      "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc",
      "extendedKeyUsage=serverAuth",
    ]),
    sign(dir, pki, "admin", "/O=system:masters/CN=kubesnap-admin", ["extendedKeyUsage=clientAuth"]),
    sign(dir, pki, "controller-manager", "/CN=system:kube-controller-manager", [
      "extendedKeyUsage=clientAuth",
    ]),
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pki.serviceAccountKey).then(() =>
      openssl("ec", "-in", pki.serviceAccountKey, "-pubout", "-out", pki.serviceAccountPub),
    ),
    writeFile(pki.tokenFile, `${pki.restrictedToken},restricted,restricted-uid\n`, { mode: 0o600 }),
  ]);
  return pki;
}

function ecKey(keyFile: string): string[] {
  return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile];
}

async function sign(
  dir: string,
  pki: ClusterPki,
  name: string,
  subject: string,
  extensions: string[],
): Promise<void> {
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, `${extensions.join("\n")}\n`);
  await openssl("req", "-new", ...ecKey(join(dir, `${name}.key`)), "-out", csr, "-subj", subject);
  await openssl(
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    pki.caCert,
    "-CAkey",
    pki.caKey,
    "-set_serial",
    `0x${randomBytes(8).toString("hex")}`,
    "-out",
    join(dir, `${name}.crt`),
    "-days",
    "30",
    "-extfile",
    ext,
  );
}

async function openssl(...args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`testenv: openssl ${args[0]} failed: ${stderr.trim()}`);
  }
}
