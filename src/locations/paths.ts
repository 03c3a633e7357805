import { homedir } from "node:os";
import { join } from "node:path";

/** ${XDG_CONFIG_HOME:-~/.config}/kubesnap/config.yaml: the CLI's storage locations in local mode. */
export function configFile(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), ".config"), "kubesnap", "config.yaml");
}

/** ${XDG_DATA_HOME:-~/.local/share}/kubesnap/default: the embedded default location. */
export function defaultLocationDir(): string {
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "kubesnap", "default");
}
