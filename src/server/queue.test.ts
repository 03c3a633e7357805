import { describe, expect, it } from "vitest";
import { WorkQueue } from "./queue.js";

describe("WorkQueue", () => {
  it("queues a key once however often it is added", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("a");
    q.add("b");
    expect(await q.take()).toBe("a");
    expect(await q.take()).toBe("b");
    q.close();
    expect(await q.take()).toBeUndefined();
  });

  it("never hands out a key being worked on, and runs it again if it changed meanwhile", async () => {
    const q = new WorkQueue();
    q.add("a");
    expect(await q.take()).toBe("a");
    q.add("a");
    q.add("b");
    expect(await q.take()).toBe("b");
    q.done("a");
    expect(await q.take()).toBe("a");
    q.close();
  });

  it("wakes every waiting taker when closed", async () => {
    const q = new WorkQueue();
    const takers = [q.take(), q.take(), q.take()];
    q.close();
    expect(await Promise.all(takers)).toEqual([undefined, undefined, undefined]);
  });

  it("wakes a waiting taker when a key arrives", async () => {
    const q = new WorkQueue();
    const taken = q.take();
    q.add("late");
    expect(await taken).toBe("late");
    q.close();
  });
});
