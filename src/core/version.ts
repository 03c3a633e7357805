import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** kubesnap's package.json: the nearest one above this file, from src/ and from dist/ alike. */
function packageJson(): { version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
}

/** kubesnap's own version (package.json is the one source), recorded in every backup. */
export const KUBESNAP_VERSION: string = packageJson().version;
