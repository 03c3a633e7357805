import { inject } from "vitest";
import type { EnvInfo } from "../testenv/env-info.js";

declare module "vitest" {
  export interface ProvidedContext {
    testenv: EnvInfo;
  }
}

/** The test environment that test/global-setup.ts started for this run. */
export function testEnv(): EnvInfo {
  return inject("testenv");
}
