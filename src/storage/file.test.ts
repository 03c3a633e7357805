import { describe, expect, it } from "vitest";
import { KubesnapError } from "../core/errors.js";
import { fileError } from "./file.js";

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });
const at = (operation: "read" | "write" | "delete") => ({
  operation,
  key: "backups/a.json",
  description: "file:///srv/kubesnap",
});

describe("fileError", () => {
  it("maps a missing file or parent to NotFound", () => {
    for (const code of ["ENOENT", "ENOTDIR", "EISDIR"]) {
      const err = fileError(errno(code), at("read"));
      expect(err.code, code).toBe("NotFound");
      expect(err.message).toBe('Cannot read "backups/a.json" in file:///srv/kubesnap: object not found');
    }
  });

  it("maps permission problems to AccessDenied", () => {
    for (const code of ["EACCES", "EPERM", "EROFS"])
      expect(fileError(errno(code), at("write")).code).toBe("AccessDenied");
  });

  it("maps a key that collides with a directory of longer keys to Conflict on write", () => {
    for (const code of ["ENOTDIR", "EISDIR", "EEXIST"])
      expect(fileError(errno(code), at("write")).code).toBe("Conflict");
  });

  it("maps a full or failing disk to Unavailable, and keeps the cause", () => {
    const cause = errno("ENOSPC");
    const err = fileError(cause, at("write"));
    expect(err.code).toBe("Unavailable");
    expect(err.cause).toBe(cause);
  });

  it("passes KubesnapErrors through", () => {
    const own = new KubesnapError("InvalidInput", "bad key");
    expect(fileError(own, at("delete"))).toBe(own);
  });
});
