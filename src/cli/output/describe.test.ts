import { describe, expect, it } from "vitest";
import { renderDescribe } from "./describe.js";

describe("renderDescribe", () => {
  it("lays out `backup describe` as Velero does", () => {
    const text = renderDescribe([
      {
        fields: [
          ["Name", "nightly-20261126070000"],
          ["Namespace", "kubesnap"],
          ["Labels", ["kubesnap.io/schedule-name=nightly", "kubesnap.io/storage-location=default"]],
          ["Annotations", []],
        ],
      },
      { fields: [["Phase", "Completed"]] },
      {
        title: "Namespaces",
        fields: [
          ["Included", "*"],
          ["Excluded", "<none>"],
        ],
      },
      {
        title: "Resources",
        fields: [
          ["Included", "*"],
          ["Excluded", "<none>"],
          ["Cluster-scoped", "auto"],
        ],
      },
      { fields: [["TTL", "720h0m0s"]] },
      {
        fields: [
          ["Started", "2026-11-26 07:00:00 +0000 UTC"],
          ["Completed", "2026-11-26 07:01:12 +0000 UTC"],
        ],
      },
      {
        title: "Resource List",
        list: ["apps/v1/Deployment:", "  - default/nginx", "v1/Service:", "  - default/nginx"],
      },
    ]);
    expect(text).toBe(
      [
        "Name:         nightly-20261126070000",
        "Namespace:    kubesnap",
        "Labels:       kubesnap.io/schedule-name=nightly",
        "              kubesnap.io/storage-location=default",
        "Annotations:  <none>",
        "",
        "Phase:  Completed",
        "",
        "Namespaces:",
        "  Included:  *",
        "  Excluded:  <none>",
        "",
        "Resources:",
        "  Included:        *",
        "  Excluded:        <none>",
        "  Cluster-scoped:  auto",
        "",
        "TTL:  720h0m0s",
        "",
        "Started:    2026-11-26 07:00:00 +0000 UTC",
        "Completed:  2026-11-26 07:01:12 +0000 UTC",
        "",
        "Resource List:",
        "  apps/v1/Deployment:",
        "    - default/nginx",
        "  v1/Service:",
        "    - default/nginx",
        "",
      ].join("\n"),
    );
  });

  it("aligns continuation lines of a multi-line value under a titled section", () => {
    expect(
      renderDescribe([
        {
          title: "Errors",
          fields: [
            ["Velero", "<none>"],
            ["Namespaces", 'shop: cannot create Service "web"\nshop: cannot create Secret "tls"'],
          ],
        },
      ]),
    ).toBe(
      [
        "Errors:",
        "  Velero:      <none>",
        '  Namespaces:  shop: cannot create Service "web"',
        '               shop: cannot create Secret "tls"',
        "",
      ].join("\n"),
    );
  });

  it("prints fields then their list, and leaves no trailing spaces", () => {
    expect(
      renderDescribe([
        { fields: [["Hooks", ""]], list: ["pre: freeze-db", "post: thaw-db"] },
        { fields: [] },
      ]),
    ).toBe("Hooks:\n  pre: freeze-db\n  post: thaw-db\n");
  });

  it("prints nothing for nothing", () => {
    expect(renderDescribe([])).toBe("");
    expect(renderDescribe([{}])).toBe("");
  });
});
