import { inject } from "vitest";
import type { EnvInfo } from "../testenv/env-info.js";

declare module "vitest" {
  export interface ProvidedContext {
    testenv: EnvInfo;
    scratch: string;
  }
}

/** The test environment that test/global-setup.ts started for this run. */
export function testEnv(): EnvInfo {
  return inject("testenv");
}

/**
 * A directory for this run's temporary files (CLI homes with their local backups): the global
 * setup removes it when the run ends, so no test leaves its files behind.
 */
export function scratchDir(): string {
  return inject("scratch");
}
