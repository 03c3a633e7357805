import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** DIR/state.json: what `up` left running, so `down` (another process) can stop it. */
export type State =
  | { readonly status: "starting"; readonly supervisorPid: number }
  | { readonly status: "ready"; readonly supervisorPid: number; readonly pids: readonly number[] }
  | { readonly status: "failed"; readonly supervisorPid: number; readonly error: string };

const file = (dir: string) => join(dir, "state.json");

export async function readState(dir: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(file(dir), "utf8")) as State;
  } catch {
    return undefined;
  }
}

export const writeState = (dir: string, state: State) => writeFile(file(dir), `${JSON.stringify(state)}\n`);
export const clearState = (dir: string) => rm(file(dir), { force: true });
