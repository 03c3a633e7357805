import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { createKubesnap, getKubesnap, type RunningServer, startServer } from "./harness.js";

type Obj = { status?: { phase?: string; message?: string; failureReason?: string } };

/** Known values of the bad credentials: they must never show in status or logs. */
const WRONG_KEY_ID = "kubesnap-wrong-key-id";
const WRONG_SECRET = "kubesnap-wrong-secret-4f1c9b";

describe("a storage location that cannot be used", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(testEnv().clusters[0]!, testEnv().s3, { prefix: uniqueName("bad-location") });
    await server.client.request({
      method: "POST",
      path: `/api/v1/namespaces/${server.namespace}/secrets`,
      body: JSON.stringify({
        metadata: { name: "wrong-credentials" },
        stringData: {
          cloud: `[default]\naws_access_key_id=${WRONG_KEY_ID}\naws_secret_access_key=${WRONG_SECRET}\n`,
        },
      }),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    [
      "wrong credentials",
      "wrong-creds",
      testEnv().s3.endpoint,
      /AccessDenied|denied|refused|InvalidAccessKeyId|credentials/i,
    ],
    ["an unreachable store", "unreachable", "http://127.0.0.1:1", /reach|ECONNREFUSED|Unavailable|connect/i],
  ])(
    "with %s shows Unavailable with the reason; a backup to it fails at once with that reason",
    async (_what, name, endpoint, reason) => {
      const { s3 } = testEnv();
      await createKubesnap(server.client, server.namespace, "backupstoragelocations", {
        kind: "BackupStorageLocation",
        metadata: { name },
        spec: {
          provider: "s3",
          objectStorage: { bucket: s3.bucket, prefix: uniqueName("never") },
          config: { region: s3.region, s3Url: endpoint, s3ForcePathStyle: "true" },
          credential: { name: "wrong-credentials", key: "cloud" },
          validationFrequency: "2s",
        },
      });
      const location = await eventually(
        `location ${name} to be Unavailable`,
        async () => {
          const l = await getKubesnap<Obj>(server.client, server.namespace, "backupstoragelocations", name);
          return l?.status?.phase === "Unavailable" ? l : undefined;
        },
        60_000,
      );
      expect(location.status?.message).toMatch(reason);

      await createKubesnap(server.client, server.namespace, "backups", {
        kind: "Backup",
        metadata: { name: `to-${name}` },
        spec: { includedNamespaces: ["kube-public"], storageLocation: name },
      });
      const started = Date.now();
      const failed = await eventually(`backup to-${name} to fail`, async () => {
        const b = await getKubesnap<Obj>(server.client, server.namespace, "backups", `to-${name}`);
        return b?.status?.phase === "Failed" ? b : undefined;
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(failed.status?.failureReason).toContain(`"${name}" is Unavailable`);
      expect(failed.status?.failureReason).toMatch(reason);

      // The credentials never leave the Secret.
      const everything = JSON.stringify([location, failed]) + server.logs();
      expect(everything).not.toContain(WRONG_SECRET);
    },
  );
});
