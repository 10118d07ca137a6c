package dev.tarjama.models.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets a sentence-level MT model (Opus-MT, NLLB, the bundled tiny models) serve whole chunks:
 * each text is cut at line breaks, at placeholders ⟦n⟧ and after sentence ends; only the pieces
 * with letters go to the model, in one batch; line breaks, placeholders and symbols are put back
 * where they were. An LLM behind {@code tarjama serve} does not need this; a seq2seq model drops
 * line breaks and garbles placeholders without it.
 *
 * <p>The sentence cut is a plain rule (after {@code . ! ?} followed by a space and a capital),
 * because this class lives without the pipeline's ICU splitter; the pipeline's own local backend
 * cuts with ICU before the model is called.
 */
public final class SentenceWiseTranslator implements Translator {
  private static final Pattern KEPT = Pattern.compile("\u27E6\\d{1,4}\u27E7|\\s*\\n\\s*");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[\\p{Lu}\"'(])");
  private static final Pattern LETTER = Pattern.compile("\\p{L}");

  private final Translator model;

  public SentenceWiseTranslator(Translator model) {
    this.model = model;
  }

  @Override
  public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
    List<List<String>> partsPerSource = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    for (String source : sources) {
      List<String> parts = split(source);
      partsPerSource.add(parts);
      for (String part : parts) {
        if (translatable(part)) {
          batch.add(part.strip());
        }
      }
    }
    List<List<Translation>> translated =
        batch.isEmpty() ? List.of() : model.translate(batch, decoding);
    List<List<Translation>> out = new ArrayList<>();
    int next = 0;
    for (List<String> parts : partsPerSource) {
      List<Translation> candidates = new ArrayList<>();
      for (int k = 0; k < decoding.candidates(); k++) {
        StringBuilder text = new StringBuilder();
        int sourceTokens = 0;
        int targetTokens = 0;
        boolean truncated = false;
        int cursor = next;
        for (String part : parts) {
          if (!translatable(part)) {
            text.append(part);
            continue;
          }
          Translation t = translated.get(cursor++).get(k);
          // Keep the part's own outer whitespace: the model strips it.
          text.append(leading(part)).append(t.text()).append(trailing(part));
          sourceTokens += t.sourceTokens();
          targetTokens += t.targetTokens();
          truncated |= t.truncated();
        }
        candidates.add(new Translation(text.toString(), sourceTokens, targetTokens, truncated));
      }
      next += (int) parts.stream().filter(SentenceWiseTranslator::translatable).count();
      out.add(candidates);
    }
    return out;
  }

  /** The text cut into kept separators and prose sentences; concatenated, they give it back. */
  static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    Matcher m = KEPT.matcher(text);
    int at = 0;
    while (m.find()) {
      addSentences(parts, text.substring(at, m.start()));
      parts.add(m.group());
      at = m.end();
    }
    addSentences(parts, text.substring(at));
    return parts;
  }

  private static void addSentences(List<String> parts, String prose) {
    if (prose.isEmpty()) {
      return;
    }
    Matcher m = SENTENCE_END.matcher(prose);
    int at = 0;
    while (m.find()) {
      parts.add(prose.substring(at, m.start()));
      parts.add(m.group());
      at = m.end();
    }
    parts.add(prose.substring(at));
  }

  private static boolean translatable(String part) {
    return !KEPT.matcher(part).matches() && LETTER.matcher(part).find();
  }

  private static String leading(String s) {
    return s.substring(0, s.length() - s.stripLeading().length());
  }

  private static String trailing(String s) {
    return s.substring(s.stripTrailing().length());
  }

  @Override
  public int countSourceTokens(String text) {
    return model.countSourceTokens(text);
  }

  @Override
  public String describe() {
    return model.describe() + ", sentence by sentence";
  }

  @Override
  public void close() {
    model.close();
  }
}
