import { ApiError } from "@google-cloud/storage";
import { describe, expect, it } from "vitest";
import { gcsError } from "./gcs.js";

const context = { where: 'Cannot read "k" in gs://b/p', bucket: "b" };

function apiError(code: number, reason: string, message = "server says no"): ApiError {
  // What the SDK builds from a JSON API error body.
  return Object.assign(new ApiError(message), { code, errors: [{ reason, message }] });
}

describe("gcsError", () => {
  it("maps a 404 to NotFound naming the key and the location", () => {
    const err = gcsError(apiError(404, "notFound"), context);
    expect(err.code).toBe("NotFound");
    expect(err.message).toBe('Cannot read "k" in gs://b/p: object not found');
  });

  it("maps authentication and authorization failures to AccessDenied without the server's words", () => {
    const forbidden = gcsError(
      apiError(403, "forbidden", "sa@p.iam.gserviceaccount.com does not have storage.objects.get access"),
      context,
    );
    expect(forbidden.code).toBe("AccessDenied");
    expect(forbidden.hint).toContain("storage.objectAdmin");
    expect(forbidden.message).not.toContain("gserviceaccount");
    const unauthorized = gcsError(apiError(401, "required"), context);
    expect(unauthorized.code).toBe("AccessDenied");
    expect(unauthorized.hint).toContain("service-account key");
  });

  it("maps the auth library's refusals to AccessDenied with the way out", () => {
    const grant = Object.assign(new Error("invalid_grant: Invalid JWT Signature."), {
      response: { status: 400, data: { error: "invalid_grant" } },
    });
    expect(gcsError(grant, context).code).toBe("AccessDenied");
    expect(gcsError(grant, context).hint).toContain("create a new key");
    const none = new Error(
      "Could not load the default credentials. Browse to https://… for more information.",
    );
    expect(gcsError(none, context).code).toBe("AccessDenied");
    expect(gcsError(none, context).hint).toContain("GOOGLE_APPLICATION_CREDENTIALS");
  });

  it("maps network failures, throttling and server errors to Unavailable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(gcsError(refused, context).code).toBe("Unavailable");
    expect(gcsError(apiError(429, "rateLimitExceeded"), context).code).toBe("Unavailable");
    expect(gcsError(apiError(503, "backendError"), context).code).toBe("Unavailable");
    expect(gcsError(Object.assign(new Error("aborted"), { name: "AbortError" }), context).code).toBe(
      "Unavailable",
    );
  });

  it("keeps anything else as Internal with the server's words and the cause", () => {
    const cause = apiError(400, "invalid", "Invalid argument.");
    const err = gcsError(cause, context);
    expect(err.code).toBe("Internal");
    expect(err.message).toBe('Cannot read "k" in gs://b/p: Invalid argument.');
    expect(err.cause).toBe(cause);
  });
});
