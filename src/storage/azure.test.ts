import { RestError } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { azureCredentialsFrom, azureError } from "./azure.js";

const context = { where: 'Cannot read "k" in azure://acct/c/p', container: "c" };

function restError(statusCode: number, code: string | undefined, message = "server says no"): RestError {
  return new RestError(message, { statusCode, ...(code === undefined ? {} : { code }) });
}

describe("azureError", () => {
  it("maps a missing blob to NotFound, also from a HEAD without a body", () => {
    expect(azureError(restError(404, "BlobNotFound"), context).message).toBe(
      'Cannot read "k" in azure://acct/c/p: object not found',
    );
    const head = Object.assign(restError(404, undefined), { details: { errorCode: "BlobNotFound" } });
    expect(azureError(head, context).code).toBe("NotFound");
  });

  it("names the container when the container is missing, also from a HEAD", () => {
    const head = Object.assign(restError(404, undefined), { details: { errorCode: "ContainerNotFound" } });
    for (const err of [azureError(restError(404, "ContainerNotFound"), context), azureError(head, context)]) {
      expect(err.code).toBe("NotFound");
      expect(err.message).toContain('container "c" does not exist');
      expect(err.hint).toContain("create the container");
    }
  });

  it("maps authentication and authorization failures to AccessDenied with a specific hint", () => {
    const cases = [
      ["AuthenticationFailed", "account key or SAS token"],
      ["AuthorizationFailure", "account key or SAS token"],
      ["AuthorizationPermissionMismatch", "SAS token must allow"],
      ["SomethingNew", "check the credentials"],
    ] as const;
    for (const [code, hint] of cases) {
      const err = azureError(restError(403, code, "Signature did not match. String to sign: …"), context);
      expect(err.code, code).toBe("AccessDenied");
      expect(err.hint, code).toContain(hint);
      expect(err.message).not.toContain("String to sign");
    }
  });

  it("maps network failures, throttling and server errors to Unavailable", () => {
    expect(azureError(new RestError("connect ECONNREFUSED", { code: "ECONNREFUSED" }), context).code).toBe(
      "Unavailable",
    );
    expect(azureError(restError(503, "ServerBusy"), context).code).toBe("Unavailable");
    expect(azureError(restError(500, "InternalError"), context).code).toBe("Unavailable");
  });

  it("keeps anything else as Internal with the server's words and the cause", () => {
    const cause = restError(400, "InvalidHeaderValue", "bad header");
    const err = azureError(cause, context);
    expect(err.code).toBe("Internal");
    expect(err.message).toBe('Cannot read "k" in azure://acct/c/p: InvalidHeaderValue: bad header');
    expect(err.cause).toBe(cause);
  });
});

describe("azureCredentialsFrom", () => {
  it("takes the first variable set: connection string, account key, SAS token", () => {
    expect(
      azureCredentialsFrom({ AZURE_STORAGE_ACCOUNT_KEY: "k", AZURE_STORAGE_CONNECTION_STRING: "cs" }),
    ).toEqual({ kind: "connectionString", connectionString: "cs" });
    expect(azureCredentialsFrom({ AZURE_STORAGE_SAS_TOKEN: "s", AZURE_STORAGE_ACCOUNT_KEY: "k" })).toEqual({
      kind: "accountKey",
      accountKey: "k",
    });
    expect(azureCredentialsFrom({ AZURE_STORAGE_SAS_TOKEN: "?sv=1&sig=x" })).toEqual({
      kind: "sasToken",
      sasToken: "sv=1&sig=x",
    });
    expect(azureCredentialsFrom({ AZURE_STORAGE_ACCOUNT_KEY: "" })).toBeUndefined();
  });
});
