#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
// The heap flags are settled first, before the CLI's modules load (see heap-flags.ts).
import { relaunchWithHeapFlags } from "../dist/src/cli/heap-flags.js";

relaunchWithHeapFlags();
const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv.slice(2));
