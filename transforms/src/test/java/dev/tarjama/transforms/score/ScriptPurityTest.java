package dev.tarjama.transforms.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCR with hand-counted letters. */
class ScriptPurityTest {

  private static void assertScr(double expected, String text, String script) {
    ScriptPurity.Result r = ScriptPurity.measure(text, script);
    assertEquals(expected, r.score(), 1e-9, () -> "SCR(" + text + ")");
    assertFalse(r.flagged(), text);
  }

  @Test
  void lettersInTheTargetScriptOverAllLetters() {
    assertScr(1.0, "مرحبا بالعالم", "Arab");
    // مرحبا = 5 Arabic, hello = 5 Latin
    assertScr(5.0 / 10, "مرحبا hello", "Arab");
    // digits and punctuation are not letters: 3 Arabic, "abc" 3 Latin
    assertScr(3.0 / 6, "شرح: 123, 4.5%! abc", "Arab");
  }

  @Test
  void diacriticsAreNotLettersAndTatweelBelongsToNoScript() {
    // مَرْحَبًا: 5 letters and 4 combining marks
    assertScr(5.0 / 10, "مَرْحَبًا hello", "Arab");
    // مـــرحبا: 5 letters, 3 tatweels (script Common, not counted); abc 3 Latin
    assertScr(5.0 / 8, "مـــرحبا abc", "Arab");
  }

  @Test
  void whitelistedSpansAreRemovedBeforeCounting() {
    // الدالة 6 + تطبع 4 Arabic; hello 5 Latin; `print` is code
    assertScr(10.0 / 15, "الدالة `print` تطبع hello", "Arab");
    // شرح 3 Arabic; world 5 Latin; the fenced block, URL and e-mail are removed
    assertScr(3.0 / 8, "```python\nprint('hi')\n```\nشرح https://example.com/docs a.b@example.org world",
        "Arab");
    // إذا 3 + كان 3 Arabic; then 4 Latin; $x^2 = 4$ is math
    assertScr(6.0 / 10, "إذا كان $x^2 = 4$ then", "Arab");
    // الماء 5 + و 1 Arabic; "ok" 2 Latin; H2O and NaCl are chemical formulas, x and π math symbols
    assertScr(6.0 / 8, "الماء H2O و NaCl ok x π", "Arab");
    // أفكر 4 Arabic; "done" 4 Latin; think tags and the tool call are removed
    assertScr(4.0 / 8, "<think>\nأفكر\n</think>\n<tool_call>\n{\"name\": \"search\"}\n</tool_call>done",
        "Arab");
    // placeholders, HTML tags and markdown markers carry no letters that count
    assertScr(1.0, "## سطر ⟦0⟧ **مهم**<br>\n- بند ⟦12⟧", "Arab");
    // a whole-field tool-call JSON
    assertEquals(new ScriptPurity.Result(1.0, true),
        ScriptPurity.measure("{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}", "Arab"));
  }

  @Test
  void noLettersLeftScoresOneAndFlags() {
    assertEquals(new ScriptPurity.Result(1.0, true), ScriptPurity.measure("", "Arab"));
    assertEquals(new ScriptPurity.Result(1.0, true),
        ScriptPurity.measure("```js\nconsole.log(1)\n```\n42 = 6 × 7 !", "Arab"));
  }

  @Test
  void iso15924CodesAndScriptNames() {
    assertScr(6.0 / 11, "Привет world", "Cyrl");
    assertScr(5.0 / 10, "hello مرحبا", "Latn");
    assertScr(4.0 / 6, "שלום hi", "Hebr");
    // नमस्ते: न म स त are letters, the virama and vowel sign are marks
    assertScr(4.0 / 6, "नमस्ते hi", "Deva");
    assertScr(5.0 / 10, "مرحبا hello", "ARABIC");
    assertScr(5.0 / 10, "مرحبا hello", "arab");
    assertThrows(IllegalArgumentException.class, () -> ScriptPurity.measure("x", "Klingon"));
  }

  @Test
  void humanTranslationsOfTatoebaArePure() throws Exception {
    Path file = DataKit.tatoeba();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    double arabic = 0;
    double english = 0;
    double englishAsArabic = 0;
    for (String line : lines) {
      String[] cols = line.split("\t");
      arabic += ScriptPurity.measure(cols[1], "Arab").score();
      english += ScriptPurity.measure(cols[0], "Latn").score();
      englishAsArabic += ScriptPurity.measure(cols[0], "Arab").score();
    }
    int n = lines.size();
    assertTrue(n > 12_000);
    assertTrue(arabic / n > 0.99, "mean SCR of Arabic references: " + arabic / n);
    assertTrue(english / n > 0.99, "mean SCR(Latn) of English sources: " + english / n);
    // only letterless sources ("1, 2, 3") score 1 against Arabic
    assertTrue(englishAsArabic / n < 0.01, "mean SCR(Arab) of English sources: " + englishAsArabic / n);
  }

  /** SCR as it was counted, code point by code point through Character.UnicodeScript.of. */
  private static ScriptPurity.Result searched(String text, String targetScript) {
    Character.UnicodeScript target = ScriptPurity.script(targetScript);
    List<dev.tarjama.transforms.segment.ProtectedSpans.Span> spans =
        dev.tarjama.transforms.segment.ProtectedSpans.find(
            text, dev.tarjama.transforms.segment.ProtectedSpans.SCORE_WHITELIST);
    long inTarget = 0;
    long letters = 0;
    int pos = 0;
    int next = 0;
    while (pos < text.length()) {
      if (next < spans.size() && spans.get(next).start() == pos) {
        pos = spans.get(next++).end();
        continue;
      }
      int stop = next < spans.size() ? spans.get(next).start() : text.length();
      while (pos < stop) {
        int cp = text.codePointAt(pos);
        pos += Character.charCount(cp);
        if (Character.isLetter(cp)) {
          Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
          if (sc != Character.UnicodeScript.COMMON && sc != Character.UnicodeScript.INHERITED
              && sc != Character.UnicodeScript.UNKNOWN) {
            letters++;
            if (sc == target) {
              inTarget++;
            }
          }
        }
      }
    }
    return letters == 0 ? new ScriptPurity.Result(1.0, true)
        : new ScriptPurity.Result((double) inTarget / letters, false);
  }

  @Test
  void theLookupTableCountsAsTheScriptSearchDid() throws Exception {
    List<String> texts = new java.util.ArrayList<>(List.of("", "x = 2y, π r², H2O and NaCl",
        "مرحبا hello Привет שלום नमस्ते 你好 𝑥 𐌰𐌱 \uD800 a", "ـ µ ª"));
    texts.addAll(Files.readAllLines(
        DataKit.data("parallel/tatoeba_anki/ara.txt"),
        StandardCharsets.UTF_8).subList(0, 2000));
    for (int from = 0; from <= Character.MAX_CODE_POINT; from += 0x8000) {
      StringBuilder b = new StringBuilder();
      for (int cp = from; cp < from + 0x8000; cp++) {
        b.appendCodePoint(cp).append(' ');
      }
      texts.add(b.toString());
    }
    for (String script : List.of("Arab", "Latn", "Cyrl", "Zyyy")) {
      for (String t : texts) {
        assertEquals(searched(t, script), ScriptPurity.measure(t, script),
            () -> script + ": " + (t.length() > 80 ? t.substring(0, 80) : t));
      }
    }
  }
}
