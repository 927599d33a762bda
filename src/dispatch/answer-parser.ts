import type { Answer } from "./alert-model.js";

/**
 * Answers on the air (README "Alerts and acknowledgements"): `OK|JA|KOMMER <code>` coming, `NEJ|KOMMER EJ <code>` not-coming,
 * `SEN|FÖRSENAD <code>` delayed, a bare `<code>` coming. Case-insensitive, tolerant of the punctuation and
 * spacing people type on a radio keypad or phone (`ok4711`, `Nej, 4711.`, `KOMMER EJ-4711`). The code may
 * also come first (`4711 nej`). Anything else is not an answer.
 */
export interface ParsedAnswer {
  answer: Answer;
  code: string;
}

const WORDS: [RegExp, Answer][] = [
  [/^(KOMMER\s*EJ|KOMMER\s*INTE|NEJ)$/, "not-coming"],
  [/^(SEN|FÖRSENAD|FORSENAD)$/, "delayed"],
  [/^(OK|JA|KOMMER)$/, "coming"],
];

function wordAnswer(word: string): Answer | undefined {
  const w = word.trim();
  if (w === "") return "coming";
  for (const [re, a] of WORDS) if (re.test(w)) return a;
  return undefined;
}

export function parseAnswer(raw: string): ParsedAnswer | undefined {
  const text = raw
    .toUpperCase()
    .replace(/[.,;:!?/\\()"'-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const m = /^(?:(\D*?)\s*([0-9]{4})|([0-9]{4})\s*(\D*))$/.exec(text);
  if (!m) return undefined;
  const word = m[2] !== undefined ? (m[1] ?? "") : (m[4] ?? "");
  const code = m[2] ?? m[3] ?? "";
  const answer = wordAnswer(word);
  return answer ? { answer, code } : undefined;
}
