import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { jsonLogger } from "./log.js";

describe("jsonLogger", () => {
  it("writes one JSON object per line and masks secret-looking fields", () => {
    let text = "";
    const stream = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const log = jsonLogger(stream, () => new Date("2026-11-26T07:00:00Z"));
    log.info("backup started", { backup: "nightly", secretAccessKey: "abc" });
    log.error("failed", { reason: "timeout" });
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      time: "2026-11-26T07:00:00.000Z",
      level: "info",
      msg: "backup started",
      backup: "nightly",
      secretAccessKey: "[redacted]",
    });
    expect(lines[1]).toMatchObject({ level: "error", msg: "failed", reason: "timeout" });
    expect(text).not.toContain("abc");
  });
});
