// Reference token counts for ByteLevelBpeCounterTest, made by Hugging Face's own tokenizers
// library (its Node binding), which takes text as real UTF-8. DJL's binding, which the test
// also compares against, passes characters outside the BMP as modified UTF-8 and so counts an
// emoji as several replacement characters; these references settle such texts.
//
//   mkdir -p /tmp/tok && cd /tmp/tok && npm install tokenizers@0.13.3 tokenizers-linux-x64-gnu@0.13.4-rc2
//   ln -s ../tokenizers-linux-x64-gnu node_modules/tokenizers/
//   NODE_PATH=/tmp/tok/node_modules node testdata/tools/make_tokenizer_reference.js \
//     ../shared/models/tokenizers/qwen3/tokenizer.json > testdata/tokenizers/qwen3-reference-counts.jsonl
//
// This binding predates merges written as pairs, so the script hands it the same merges as
// "left right" strings (an equivalent form of the same file).
const fs = require("fs");
const os = require("os");
const path = require("path");
const { Tokenizer } = require("tokenizers");

const source = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
source.model.merges = source.model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m));
delete source.model.ignore_merges;
const legacy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tok-")), "tokenizer.json");
fs.writeFileSync(legacy, JSON.stringify(source));
const tokenizer = Tokenizer.fromFile(legacy);

const pieces = [
  "a", "Z", "é", "e\u0301", "\u1100\u1161", "ß", "ſ", "\u212A", "İ", "ﬁ", "9", "٣", "Ⅻ", "½",
  " ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2003", "\u3000", "\u0085", "\u2028", "\u200B",
  "'s", "'LL", "'ſ", ".", "!!", "—", "```", "{\"k\": 1}", "مرحبا", "中文",
  "\u{1F600}", "\u{1F44D}\u{1F3FD}", "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}", "\u{1F1F8}\u{1F1E6}",
  "\u{1D465}", "\u{20000}", "\u{1F9EA}", "\u2764\uFE0F", "<think>", "<|im_start|>", "<tool_", "1234",
];
let seed = 20261207;
function random(n) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
}
const texts = [
  "I love this! \u{1F600}\u{1F600} Great job \u{1F44D}\u{1F3FD}",
  "The variable \u{1D465} is in \u{1D53D}\u{2099}.",
  "Family: \u{1F468}\u200D\u{1F469}\u200D\u{1F467}, flag \u{1F1F8}\u{1F1E6}, lab \u{1F9EA}.",
];
for (let i = 0; i < 3000; i++) {
  let text = "";
  const n = random(10);
  for (let j = 0; j < n; j++) {
    text += pieces[random(pieces.length)];
  }
  texts.push(text);
}
(async () => {
  for (const text of texts) {
    const r = tokenizer.encode(text, null, { addSpecialTokens: false });
    const encoding = r && r.then ? await r : r;
    process.stdout.write(JSON.stringify({ text, tokens: encoding.getIds().length }) + "\n");
  }
})();
