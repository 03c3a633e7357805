import type { KubeClient } from "../../cluster/client.js";
import { isKubesnapError, KubesnapError } from "../../core/errors.js";
import type { KubeObject } from "../../core/kube-types.js";

export interface Waiter {
  readonly sleep: (ms: number) => Promise<void>;
  readonly timeoutMs: number;
}

export const DEFAULT_WAITER: Waiter = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  timeoutMs: 120_000,
};

interface Condition {
  type: string;
  status: string;
}

/**
 * Custom resources can be created only once their CRD is Established (its names accepted
 * and served); creating them earlier fails with 404. Waits for each CRD, in parallel.
 */
export async function waitForCrdsEstablished(
  client: KubeClient,
  names: readonly string[],
  waiter: Waiter,
): Promise<void> {
  await Promise.all(
    names.map((name) =>
      poll(`CustomResourceDefinition ${name} to be Established`, waiter, async () => {
        const crd = await client.get<KubeObject & { status?: { conditions?: Condition[] } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
        );
        return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
      }),
    ),
  );
}

/**
 * A namespace deleted just before the restore may still be Terminating (its content being
 * removed); nothing can be created in it until it is gone, so wait for that first.
 */
export async function waitWhileTerminating(client: KubeClient, name: string, waiter: Waiter): Promise<void> {
  await poll(`namespace ${name} to finish terminating`, waiter, async () => {
    try {
      const ns = await client.get<KubeObject & { status?: { phase?: string } }>(
        `/api/v1/namespaces/${encodeURIComponent(name)}`,
      );
      return ns.status?.phase !== "Terminating";
    } catch (err) {
      if (isKubesnapError(err, "NotFound")) return true;
      throw err;
    }
  });
}

/** Polls until done() says so, or fails with what it waited for once the waiter's time is up. */
async function poll(what: string, waiter: Waiter, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + waiter.timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new KubesnapError("Timeout", `Timed out after ${waiter.timeoutMs / 1000} s waiting for ${what}`);
    }
    await waiter.sleep(250);
  }
}
