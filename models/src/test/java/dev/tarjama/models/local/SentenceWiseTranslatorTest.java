package dev.tarjama.models.local;

import dev.tarjama.models.onnx.ExecutionProvider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A sentence-level model behind the wrapper keeps line breaks and placeholders (real tiny model). */
class SentenceWiseTranslatorTest {
  static final Path MODEL =
      Path.of(System.getProperty("tarjama.testdata")).resolve("models/tiny-en-ar-b");

  @Test
  void splitGivesTheTextBack() {
    String text = "Hi. How are you?\n\n- I'm ⟦0⟧ fine. Thanks!  \nBye⟦1⟧";
    List<String> parts = SentenceWiseTranslator.split(text);
    assertEquals(text, String.join("", parts));
    assertTrue(parts.contains("⟦0⟧") && parts.contains("⟦1⟧"), parts.toString());
  }

  @Test
  void linesAndPlaceholdersSurviveARealModel() {
    try (Translator translator =
        new SentenceWiseTranslator(Translators.open(MODEL, ExecutionProvider.CPU))) {
      List<List<Translation>> out =
          translator.translate(
              List.of("I am hungry.\nWhere is ⟦0⟧ the station? Thank you.", "⟦0⟧"),
              Decoding.beam(4, 2));
      assertEquals(2, out.size());
      for (Translation t : out.get(0)) {
        String text = t.text();
        int line = text.indexOf('\n');
        int placeholder = text.indexOf("⟦0⟧");
        assertTrue(line > 0 && placeholder > line, text);
        assertTrue(Pattern.compile("\\p{IsArabic}{2,}").matcher(text).find(), text);
        assertTrue(t.sourceTokens() > 0 && t.targetTokens() > 0, t.toString());
      }
      assertEquals("⟦0⟧", out.get(1).get(0).text());
    }
  }

  /** Echoes each word upper-cased; a word is a token; cuts at the decoding's length limit. */
  static final class WordModel implements Translator {
    final List<Decoding> calls = new ArrayList<>();

    @Override
    public synchronized List<List<Translation>> translate(List<String> sources, Decoding decoding) {
      calls.add(decoding);
      List<List<Translation>> out = new ArrayList<>();
      for (String source : sources) {
        String[] words = source.strip().split("\\s+");
        int limit = Math.min(decoding.maxLength(), words.length);
        String text = String.join(" ", List.of(words).subList(0, limit)).toUpperCase();
        out.add(List.of(new Translation(text, words.length, limit, limit < words.length)));
      }
      return out;
    }

    @Override
    public int countSourceTokens(String text) {
      return text.strip().split("\\s+").length;
    }

    @Override
    public String describe() {
      return "words";
    }

    @Override
    public void close() {}
  }

  @Test
  void aBudgetPerTextCutsTheWholeTranslationNotEachSentence() {
    WordModel model = new WordModel();
    Translator translator = new SentenceWiseTranslator(model);
    String text = "I am very hungry. Where is the station? It is late.";
    // 4 + 4 + 3 tokens: a budget of 6 keeps the first sentence and two tokens of the second.
    Translation cut = translator.translateWithin(List.of(text), Decoding.greedy(), 6).get(0).get(0);
    assertEquals("I AM VERY HUNGRY. WHERE IS", cut.text());
    assertEquals(6, cut.targetTokens());
    assertTrue(cut.truncated());

    Translation whole = translator.translateWithin(List.of(text), Decoding.greedy(), 11).get(0).get(0);
    assertEquals("I AM VERY HUNGRY. WHERE IS THE STATION? IT IS LATE.", whole.text());
    assertEquals(11, whole.targetTokens());
    assertEquals(false, whole.truncated(), "every sentence ended within the budget");

    // Without a budget the decoding's limit holds per sentence: 300 short sentences are not cut.
    String longText = "It is late. ".repeat(300).strip();
    Translation all = translator.translate(List.of(longText), Decoding.greedy()).get(0).get(0);
    assertEquals(900, all.targetTokens());
    assertEquals(false, all.truncated());
  }
}
