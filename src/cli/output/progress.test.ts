import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  createProgress,
  formatByteRate,
  formatBytes,
  formatRate,
  type ProgressStream,
  renderProgressLine,
} from "./progress.js";

/** A stream that records what is written and claims to be (or not be) a terminal. */
class RecordingStream extends Writable {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(String(chunk));
    callback();
  }
}

function fakeClock() {
  let ms = 1_000_000;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe("renderProgressLine", () => {
  it("shows items against the total, bytes and the rate", () => {
    expect(
      renderProgressLine({
        label: "Backing up",
        itemsDone: 1234,
        itemsTotal: 5000,
        bytes: 12.3 * 1024 * 1024,
        bytesVerb: "written",
        elapsedMs: 1452,
      }),
    ).toBe("Backing up: 1234/5000 items (24%), 12.3 MiB written, 850 items/s");
  });

  it("leaves out what is not known yet", () => {
    expect(renderProgressLine({ label: "Restoring", itemsDone: 12, bytesVerb: "read", elapsedMs: 400 })).toBe(
      "Restoring: 12 items",
    );
    expect(
      renderProgressLine({
        label: "Restoring",
        itemsDone: 0,
        itemsTotal: 0,
        bytesVerb: "read",
        elapsedMs: 0,
      }),
    ).toBe("Restoring: 0/0 items");
  });

  it("reaches 100% only when done", () => {
    const line = (done: number) =>
      renderProgressLine({
        label: "Backing up",
        itemsDone: done,
        itemsTotal: 1000,
        bytesVerb: "written",
        elapsedMs: 0,
      });
    expect(line(999)).toBe("Backing up: 999/1000 items (99%)");
    expect(line(1000)).toBe("Backing up: 1000/1000 items (100%)");
    expect(line(1010)).toBe("Backing up: 1010/1000 items (100%)");
  });
});

describe("createProgress on a terminal", () => {
  it("takes the process's own streams", () => {
    expect(process.stderr satisfies ProgressStream).toBeDefined();
  });

  it("redraws one line at most every 100 ms and replaces it with the summary", () => {
    const stream = new RecordingStream(true, 120);
    const clock = fakeClock();
    const progress = createProgress({ stream, label: "Backing up", total: 5000, now: clock.now });

    progress.update({ itemsDone: 10, bytes: 2048 });
    clock.advance(50);
    progress.update({ itemsDone: 20, bytes: 4096 }); // too soon: skipped
    clock.advance(50);
    progress.update({ itemsDone: 850, bytes: 12.3 * 1024 * 1024 });
    progress.finish("Backup completed: 5000 items, 58.1 MiB");
    progress.update({ itemsDone: 5000 }); // after finish: ignored

    expect(stream.writes).toEqual([
      "\r\x1b[KBacking up: 10/5000 items (0%), 2.0 KiB written",
      "\r\x1b[KBacking up: 850/5000 items (17%), 12.3 MiB written",
      "\r\x1b[KBackup completed: 5000 items, 58.1 MiB\n",
    ]);
  });

  it("shows the rate once a second has passed, and takes a total learned later", () => {
    const stream = new RecordingStream(true);
    const clock = fakeClock();
    const progress = createProgress({ stream, label: "Restoring", bytesVerb: "read", now: clock.now });
    progress.update({ itemsDone: 5 });
    clock.advance(2000);
    progress.update({ itemsDone: 1700, itemsTotal: 3400, bytes: 1536 });
    expect(stream.writes).toEqual([
      "\r\x1b[KRestoring: 5 items",
      "\r\x1b[KRestoring: 1700/3400 items (50%), 1.5 KiB read, 850 items/s",
    ]);
  });

  it("cuts the line to the terminal width so it never wraps", () => {
    const stream = new RecordingStream(true, 20);
    const progress = createProgress({ stream, label: "Backing up", total: 5000, now: () => 0 });
    progress.update({ itemsDone: 1234 });
    expect(stream.writes).toEqual(["\r\x1b[KBacking up: 1234/50"]);
  });
});

describe("createProgress in a log", () => {
  it("prints a plain line at most every 2 s, then the summary", () => {
    const stream = new RecordingStream(false);
    const clock = fakeClock();
    const progress = createProgress({ stream, label: "Backing up", now: clock.now });

    progress.update({ itemsDone: 100 }); // at the start: nothing yet
    clock.advance(1999);
    progress.update({ itemsDone: 1999 });
    clock.advance(1);
    progress.update({ itemsDone: 2000, itemsTotal: 4000, bytes: 5 * 1024 * 1024 });
    clock.advance(1000);
    progress.update({ itemsDone: 3000 });
    clock.advance(1000);
    progress.update({ itemsDone: 4000 });
    progress.finish("Backup completed: 4000 items");
    progress.finish("twice");

    expect(stream.writes).toEqual([
      "Backing up: 2000/4000 items (50%), 5.0 MiB written, 1000 items/s\n",
      "Backing up: 4000/4000 items (100%), 1000 items/s\n",
      "Backup completed: 4000 items\n",
    ]);
  });

  it("prints only the summary for a quick run", () => {
    const stream = new RecordingStream(false);
    const progress = createProgress({ stream, label: "Backing up", now: () => 0 });
    progress.update({ itemsDone: 3 });
    progress.finish("Backup completed: 3 items");
    expect(stream.writes).toEqual(["Backup completed: 3 items\n"]);
  });
});

describe("formatBytes", () => {
  it("uses binary units with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(12.3 * 1024 * 1024)).toBe("12.3 MiB");
    expect(formatBytes(4.2 * 1024 ** 3)).toBe("4.2 GiB");
    expect(formatBytes(3 * 1024 ** 4)).toBe("3.0 TiB");
  });

  it("moves up a unit rather than print 1024.0", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1.0 MiB");
    expect(formatBytes(1023.7)).toBe("1.0 KiB");
  });
});

describe("rates", () => {
  it("shows a decimal only for small rates", () => {
    expect(formatRate(850.4, "items")).toBe("850 items/s");
    expect(formatRate(12.6, "items")).toBe("13 items/s");
    expect(formatRate(2.5, "items")).toBe("2.5 items/s");
    expect(formatRate(0, "items")).toBe("0.0 items/s");
    expect(formatByteRate(12.3 * 1024 * 1024)).toBe("12.3 MiB/s");
    expect(formatByteRate(300)).toBe("300 B/s");
  });
});
