// Parses a GIFT file with gift-pegjs (npm), an independent reading of GIFT to check ours against.
// Reads the GIFT text on standard input; prints {"questions": [...]} as gift-pegjs gives them, or
// {"error": message, "line": N} when gift-pegjs refuses the text.
"use strict";
const { parse } = require("gift-pegjs");
const text = require("fs").readFileSync(0, "utf8");
let answer;
try {
  answer = { questions: parse(text) };
} catch (error) {
  answer = { error: error.message, line: error.location ? error.location.start.line : null };
}
process.stdout.write(JSON.stringify(answer) + "\n");
