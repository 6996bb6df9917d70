import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { StopMatcher } from "../../src/inference/engine/native/stop-matcher.js";

/** Feeds `chunks` and returns what a client would see and whether (and by which string) it stopped. */
function run(stops: string[], chunks: string[]): { text: string; hit?: string } {
  const m = new StopMatcher(stops);
  let text = "";
  for (const c of chunks) {
    const r = m.push(c);
    text += r.text;
    if (r.stopped) return { text, hit: r.hit! };
  }
  return { text: text + m.flush() };
}

test("a stop string split across tokens is found, and neither it nor anything after it is emitted", () => {
  assert.deepEqual(run(["</s>", "END"], ["Hello", " wor", "ld E", "N", "D and more"]), { text: "Hello world ", hit: "END" });
});

test("text that only looked like a stop string's start is emitted once it cannot be one, and at the end", () => {
  const m = new StopMatcher(["STOP"]);
  assert.deepEqual(m.push("abc ST"), { text: "abc ", stopped: false });
  assert.deepEqual(m.push("x"), { text: "STx", stopped: false });
  assert.deepEqual(m.push(" S"), { text: " ", stopped: false });
  assert.equal(m.flush(), "S");
});

test("the earliest stop string wins", () => {
  assert.deepEqual(run(["bb", "abc"], ["xxabcbb"]), { text: "xx", hit: "abc" });
});

test("no stop strings: text passes through untouched", () => {
  const m = new StopMatcher([]);
  assert.deepEqual(m.push("S"), { text: "S", stopped: false });
});

test("property: the emitted text is the input up to the first stop string, however it is chunked", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom("a", "b", "ab", "ba", "c", "aab"), { maxLength: 12 }), fc.array(fc.constantFrom("ab", "bab", "cc", "aaa"), { minLength: 1, maxLength: 2 }), (chunks, stops) => {
      const whole = chunks.join("");
      let first = -1;
      for (const s of stops) {
        const i = whole.indexOf(s);
        if (i >= 0 && (first < 0 || i < first)) first = i;
      }
      const want = first < 0 ? whole : whole.slice(0, first);
      assert.equal(run(stops, chunks).text, want);
    }),
  );
});
