// Validates xAPI statements with LearningLocker's xapi-validation (npm): one JSON statement per input line.
// Prints one JSON line per statement: its id and the validator's warnings (an empty list when it is valid).
"use strict";
const validate = require("xapi-validation").default;
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((line) => line.trim());
for (const line of lines) {
  const statement = JSON.parse(line);
  const warnings = validate(statement).map((warning) => `${(warning.path || []).join(".")}: ${warning.constructor.name} ${warning.message || ""}`.trim());
  process.stdout.write(JSON.stringify({ id: statement.id, warnings }) + "\n");
}
