import { describe, expect, it } from "vitest";
import { KubesnapError } from "../../core/errors.js";
import { renderTable } from "./table.js";

describe("renderTable", () => {
  it("lays out `backup get` as Velero does", () => {
    const table = renderTable(
      ["Name", "Status", "Errors", "Warnings", "Created", "Expires", "Storage Location", "Selector"],
      [
        [
          "nightly-20261126070000",
          "Completed",
          "0",
          "0",
          "2026-11-26 07:00:00 +0000 UTC",
          "29d",
          "default",
          "<none>",
        ],
        [
          "before-upgrade",
          "PartiallyFailed",
          "3",
          "12",
          "2026-11-20 13:45:10 +0000 UTC",
          "23d",
          "s3",
          "app=web",
        ],
      ],
    );
    expect(table).toBe(
      [
        "NAME                     STATUS            ERRORS   WARNINGS   CREATED                         EXPIRES   STORAGE LOCATION   SELECTOR",
        "nightly-20261126070000   Completed         0        0          2026-11-26 07:00:00 +0000 UTC   29d       default            <none>",
        "before-upgrade           PartiallyFailed   3        12         2026-11-20 13:45:10 +0000 UTC   23d       s3                 app=web",
        "",
      ].join("\n"),
    );
  });

  it("keeps narrow columns at kubectl's minimum width of six", () => {
    expect(renderTable(["a", "b"], [["1", "2"]])).toBe("A     B\n1     2\n");
  });

  it("prints only the header when there are no rows", () => {
    expect(renderTable(["Name", "Status"], [])).toBe("NAME   STATUS\n");
  });

  it("leaves no trailing spaces when the last cell is empty", () => {
    expect(renderTable(["Name", "Selector"], [["daily", ""]])).toBe("NAME    SELECTOR\ndaily\n");
  });

  it("keeps each row on one line", () => {
    expect(renderTable(["Name", "Message"], [["r1", "first line\n  second"]])).toBe(
      "NAME   MESSAGE\nr1     first line second\n",
    );
  });

  it("rejects a row with the wrong number of cells", () => {
    expect(() => renderTable(["Name", "Status"], [["daily"]])).toThrow(KubesnapError);
    expect(() => renderTable(["Name", "Status"], [["daily"]])).toThrow(
      "Table row 0 has 1 cells but the table has 2 columns (Name, Status)",
    );
  });
});
