import { createInterface } from "node:readline/promises";
import { KubesnapError } from "../core/errors.js";
import type { Io } from "./io.js";

/** Asks y/N on a terminal; without one (scripts, CI) there is nobody to ask, so --confirm is required. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new KubesnapError(
      "InvalidInput",
      "Refusing to delete without confirmation: no terminal to ask on",
      {
        hint: "add --confirm",
      },
    );
  }
  const rl = createInterface({ input: process.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} (y/N) `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
